//! Batching by rounds: how a request's reads reach the databases.
//!
//! Every read a resolver makes waits for the request's next *round*. A round starts only when
//! the request can make no progress without it: the execution future, polled by [`drive`],
//! returned `Pending` without waking itself, and every read of the previous round has finished.
//! At that moment every key the rows of the previous round lead to has been asked for, so a
//! round sends, for each table and column, one statement per *database* holding all of them,
//! whatever the scheduler, the number of threads or the machine's load. No timer decides what a
//! batch holds: the statement count of a request depends on its query and the data only.
//!
//! Two kinds of reads wait for a round:
//! - [`Batcher::read`]: rows of a table whose column equals a key (a parent's children, a row
//!   by id). The round groups them by table and column, then by database, and runs one
//!   statement per group; cities that share a database are read together.
//! - [`Batcher::round`]: any other read (a page, a count, the figures of `compare`, a search),
//!   which the resolver runs itself once the round starts. Such work must only talk to `store`:
//!   a read inside it that waited for the next round would wait forever.

use crate::Districts;
use futures::FutureExt;
use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use futures::task::AtomicWaker;
use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use store::{StoreError, Table};
use tokio::sync::oneshot;

/// One key's rows, or the failure of the district that holds them.
pub(crate) type Loaded<T> = Result<Vec<T>, Arc<StoreError>>;

/// A request's queue of reads waiting for the next round.
pub(crate) struct Batcher {
    districts: Arc<Districts>,
    queue: Mutex<Queue>,
    /// Reads started by a round that their resolvers are still running ([`Batcher::round`]).
    running: Arc<AtomicUsize>,
}

#[derive(Default)]
struct Queue {
    /// Keyed reads, one entry per (row type, column), in the order first asked.
    reads: Vec<Box<dyn Reads>>,
    index: HashMap<(TypeId, &'static str), usize>,
    /// Resolvers waiting to run a read of their own.
    gates: Vec<oneshot::Sender<Running>>,
}

impl Queue {
    fn is_empty(&self) -> bool {
        self.reads.is_empty() && self.gates.is_empty()
    }
}

/// Held by a resolver while it runs a read the round started; the next round waits for it.
pub(crate) struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Keyed reads of one row type and column, before the round groups them by database.
trait Reads: Send {
    fn as_any(&mut self) -> &mut dyn Any;
    /// One future per database, each running one statement and answering its keys.
    fn start(self: Box<Self>, districts: &Arc<Districts>) -> Vec<BoxFuture<'static, ()>>;
}

struct KeyedReads<T> {
    by: &'static str,
    waiting: Vec<Waiting<T>>,
}

/// A key and where its rows go.
type Waiting<T> = (String, oneshot::Sender<Loaded<T>>);

impl<T: Table + Clone + Send + Sync + 'static> Reads for KeyedReads<T> {
    fn as_any(&mut self) -> &mut dyn Any {
        self
    }

    fn start(self: Box<Self>, districts: &Arc<Districts>) -> Vec<BoxFuture<'static, ()>> {
        let by = self.by;
        let mut per_database: BTreeMap<usize, Vec<Waiting<T>>> = BTreeMap::new();
        for (key, answer) in self.waiting {
            match districts.database_of_id(&key) {
                Some(database) => per_database
                    .entry(database)
                    .or_default()
                    .push((key, answer)),
                // No district holds the key's city: nothing matches it.
                None => {
                    let _ = answer.send(Ok(Vec::new()));
                }
            }
        }
        per_database
            .into_iter()
            .map(|(database, waiting)| {
                tracing::debug!(table = T::TABLE, by, database, keys = waiting.len(), "read");
                let districts = districts.clone();
                async move {
                    let mut keys: Vec<String> = waiting.iter().map(|(k, _)| k.clone()).collect();
                    keys.sort_unstable();
                    keys.dedup();
                    let (rows, failed) = districts.read_database::<T>(database, by, &keys).await;
                    let mut grouped: HashMap<String, Vec<T>> = HashMap::new();
                    for (key, row) in rows {
                        grouped.entry(key).or_default().push(row);
                    }
                    for (key, answer) in waiting {
                        let failure = districts
                            .index_of_id(&key)
                            .and_then(|i| failed.get(&i).cloned());
                        let loaded = match failure {
                            Some(e) => Err(e),
                            None => Ok(grouped.get(&key).cloned().unwrap_or_default()),
                        };
                        let _ = answer.send(loaded);
                    }
                }
                .boxed()
            })
            .collect()
    }
}

impl Batcher {
    pub(crate) fn new(districts: Arc<Districts>) -> Self {
        Self {
            districts,
            queue: Mutex::default(),
            running: Arc::default(),
        }
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The rows of `T` whose column `by` equals `key`, read in the next round together with
    /// every other key of that table and column.
    pub(crate) async fn read<T: Table + Clone + Send + Sync + 'static>(
        &self,
        by: &'static str,
        key: &str,
    ) -> Loaded<T> {
        let (answer, answered) = oneshot::channel();
        {
            let mut queue = self.queue();
            let queue = &mut *queue;
            let slot = *queue
                .index
                .entry((TypeId::of::<T>(), by))
                .or_insert_with(|| {
                    queue.reads.push(Box::new(KeyedReads::<T> {
                        by,
                        waiting: Vec::new(),
                    }));
                    queue.reads.len() - 1
                });
            if let Some(reads) = queue.reads[slot].as_any().downcast_mut::<KeyedReads<T>>() {
                reads.waiting.push((key.to_owned(), answer));
            }
        }
        // The driver never drops a started read's answer; a closed channel means the request
        // itself is being dropped, and nobody will see this.
        answered.await.unwrap_or_else(|_| Ok(Vec::new()))
    }

    /// Waits for the next round; the read the caller then runs belongs to it, until the
    /// returned guard is dropped.
    pub(crate) async fn round(&self) -> Running {
        let (open, opened) = oneshot::channel();
        self.queue().gates.push(open);
        match opened.await {
            Ok(running) => running,
            // Only when the request is being dropped.
            Err(_) => {
                self.running.fetch_add(1, Ordering::AcqRel);
                Running(self.running.clone())
            }
        }
    }

    /// Starts the next round, if anything waits for one: opens the gates and returns the keyed
    /// reads' statements.
    fn start_round(&self) -> Option<Vec<BoxFuture<'static, ()>>> {
        let queue = std::mem::take(&mut *self.queue());
        if queue.is_empty() {
            return None;
        }
        tracing::debug!(
            reads = queue.reads.len(),
            gates = queue.gates.len(),
            "a round of reads starts"
        );
        for gate in queue.gates {
            self.running.fetch_add(1, Ordering::AcqRel);
            // A gate whose resolver is gone drops the guard at once.
            let _ = gate.send(Running(self.running.clone()));
        }
        Some(
            queue
                .reads
                .into_iter()
                .flat_map(|reads| reads.start(&self.districts))
                .collect(),
        )
    }

    fn busy(&self) -> bool {
        self.running.load(Ordering::Acquire) > 0
    }
}

/// Runs `request` to completion, starting a round of reads whenever it waits for one.
///
/// The request runs outside tokio's cooperative budget (`unconstrained`). A tokio resource whose
/// task has spent its budget returns `Pending` and *defers* its wake-up until the task yields to
/// the runtime: the request would look idle while it still had answers to take, and a round
/// could start with only part of a level. Without the budget, a request that returns `Pending`
/// without waking itself really waits.
pub(crate) fn drive<F: Future>(
    batcher: Arc<Batcher>,
    request: F,
) -> Driven<tokio::task::Unconstrained<F>> {
    Driven {
        request: Box::pin(tokio::task::unconstrained(request)),
        batcher,
        reads: FuturesUnordered::new(),
        wake: Arc::new(WakeFlag::default()),
    }
}

/// The future [`drive`] returns.
pub(crate) struct Driven<F> {
    request: Pin<Box<F>>,
    batcher: Arc<Batcher>,
    /// The keyed reads of the current round.
    reads: FuturesUnordered<BoxFuture<'static, ()>>,
    wake: Arc<WakeFlag>,
}

/// The waker handed to the request: it records that the request was woken (it can make
/// progress) and passes the wake on to the task.
#[derive(Default)]
struct WakeFlag {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl Wake for WakeFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake();
    }
}

/// How many times one poll may go around before it lets the runtime schedule other tasks.
const TURNS_PER_POLL: usize = 64;

impl<F: Future> Future for Driven<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        this.wake.task.register(cx.waker());
        let waker = Waker::from(this.wake.clone());
        for _ in 0..TURNS_PER_POLL {
            this.wake.woken.store(false, Ordering::Release);
            if let Poll::Ready(out) = this.request.as_mut().poll(&mut Context::from_waker(&waker)) {
                return Poll::Ready(out);
            }
            // Drive this round's statements; an answered read wakes the request.
            while let Poll::Ready(Some(())) = this.reads.poll_next_unpin(cx) {}
            if this.wake.woken.load(Ordering::Acquire) {
                continue;
            }
            // The request waits. For this round's reads: they wake it when they finish.
            if !this.reads.is_empty() || this.batcher.busy() {
                return Poll::Pending;
            }
            // For the next round, or for nothing a round holds.
            match this.batcher.start_round() {
                Some(reads) => this.reads.extend(reads),
                None => return Poll::Pending,
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
