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
//! Three kinds of reads wait for a round:
//! - [`Batcher::read`]: rows of a table whose column equals a key (a parent's children, a row
//!   by id). The round groups them by table and column, then by database, and runs one
//!   statement per group; cities that share a database are read together.
//! - [`Batcher::page`] and [`Batcher::per_city`]: one city's page of a list, or its count or
//!   `compare` figures. The round groups them by shape (row type, filter, order, page size),
//!   then by database: one statement answers every city of a database (`store`'s
//!   `rooms_pages`, `rooms_counts`, `cities_figures`), so `cities { rooms(first: 5) }` costs one
//!   page statement per database, not per city.
//! - [`Batcher::round`]: any other read (a search), which the resolver runs itself once the
//!   round starts. Such work must only talk to `store`: a read
//!   inside it that waited for the next round would wait forever.

use crate::Districts;
use crate::connection::Listed;
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
use store::{After, District, PagePart, SortValue, StoreError, Table};
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
    /// Reads of one shape each: keyed reads by (row type, column), pages and counts by (row
    /// type, filter, order, size); in the order first asked.
    reads: Vec<Box<dyn Reads>>,
    keyed: HashMap<(TypeId, &'static str), usize>,
    shaped: HashMap<(TypeId, String), usize>,
    /// Resolvers waiting to run a read of their own.
    gates: Vec<oneshot::Sender<Running>>,
}

impl Queue {
    fn is_empty(&self) -> bool {
        self.reads.is_empty() && self.gates.is_empty()
    }

    /// The reads of type `G` at `slot`, created by `make` when there is no slot yet.
    fn reads<G: Reads + 'static>(
        &mut self,
        slot: Option<usize>,
        make: impl FnOnce() -> G,
    ) -> (usize, Option<&mut G>) {
        let slot = slot.unwrap_or_else(|| {
            self.reads.push(Box::new(make()));
            self.reads.len() - 1
        });
        (slot, self.reads[slot].as_any().downcast_mut::<G>())
    }
}

/// Held by a resolver while it runs a read the round started; the next round waits for it.
pub(crate) struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The reads of one kind and shape (keyed reads of a table and column, pages of a list shape,
/// per-city reads), before the round groups them by database.
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
                    let mut cities: Vec<usize> = keys
                        .iter()
                        .filter_map(|k| districts.index_of_id(k))
                        .collect();
                    cities.sort_unstable();
                    cities.dedup();
                    let (rows, failed) = districts
                        .for_database(database, &cities, |district, ready| {
                            let keys = if ready.len() == cities.len() {
                                keys.clone()
                            } else {
                                keys.iter()
                                    .filter(|k| {
                                        districts.index_of_id(k).is_some_and(|i| ready.contains(&i))
                                    })
                                    .cloned()
                                    .collect()
                            };
                            async move { district.fetch::<T>(by, &keys).await }
                        })
                        .await;
                    let mut grouped: HashMap<String, Vec<T>> = HashMap::new();
                    for (key, row) in rows.into_iter().flatten() {
                        grouped.entry(key).or_default().push(row);
                    }
                    // A key's rows are moved to its last waiter and copied for the others
                    // (most keys have one: a parent's children).
                    let mut waiters: HashMap<&str, usize> = HashMap::new();
                    for (key, _) in &waiting {
                        *waiters.entry(key.as_str()).or_default() += 1;
                    }
                    let mut answers = Vec::with_capacity(waiting.len());
                    for (key, _) in &waiting {
                        let failure = districts
                            .index_of_id(key)
                            .and_then(|i| failed.get(&i).cloned());
                        let left = waiters.get_mut(key.as_str()).map_or(0, |n| {
                            *n -= 1;
                            *n
                        });
                        answers.push(match failure {
                            Some(e) => Err(e),
                            None if left == 0 => Ok(grouped.remove(key).unwrap_or_default()),
                            None => Ok(grouped.get(key).cloned().unwrap_or_default()),
                        });
                    }
                    for ((_, answer), loaded) in waiting.into_iter().zip(answers) {
                        let _ = answer.send(loaded);
                    }
                }
                .boxed()
            })
            .collect()
    }
}

/// A page of one city, or the failure of its district.
pub(crate) type PageAnswer<R> = Result<Vec<(SortValue, R)>, Arc<StoreError>>;

/// Pages of one list shape (row type, filter, order, size), each of one city from its own
/// starting point.
struct PageReads<R: Listed> {
    shape: Arc<PageShape<R>>,
    waiting: Vec<(usize, Option<After>, oneshot::Sender<PageAnswer<R>>)>,
}

impl<R: Listed + Clone> Reads for PageReads<R> {
    fn as_any(&mut self) -> &mut dyn Any {
        self
    }

    fn start(self: Box<Self>, districts: &Arc<Districts>) -> Vec<BoxFuture<'static, ()>> {
        // One statement per database and *layer*: a city asked for twice from different
        // starting points (two aliases) needs a statement per starting point.
        let mut layers: BTreeMap<(usize, usize), Vec<Part<R>>> = BTreeMap::new();
        for (index, after, answer) in self.waiting {
            let database = districts.database_of(index);
            let mut layer = 0;
            loop {
                let parts = layers.entry((database, layer)).or_default();
                match parts.iter_mut().find(|p| p.index == index) {
                    Some(p) if p.after == after => {
                        p.answers.push(answer);
                        break;
                    }
                    Some(_) => layer += 1,
                    None => {
                        parts.push(Part {
                            index,
                            after,
                            answers: vec![answer],
                        });
                        break;
                    }
                }
            }
        }
        layers
            .into_iter()
            .map(|((database, _), parts)| {
                let districts = districts.clone();
                let shape = self.shape.clone();
                async move {
                    let cities: Vec<usize> = parts.iter().map(|p| p.index).collect();
                    let (rows, failed) = districts
                        .for_database(database, &cities, |district, ready| {
                            let parts: Vec<PagePart> = parts
                                .iter()
                                .filter(|p| ready.contains(&p.index))
                                .map(|p| {
                                    (districts.list()[p.index].city().to_owned(), p.after.clone())
                                })
                                .collect();
                            let shape = &shape;
                            async move {
                                R::pages(
                                    district,
                                    &parts,
                                    &shape.filter,
                                    shape.order,
                                    shape.descending,
                                    shape.limit,
                                )
                                .await
                            }
                        })
                        .await;
                    let mut per_city: HashMap<usize, Vec<(SortValue, R)>> = HashMap::new();
                    for (key, row) in rows.into_iter().flatten() {
                        if let Some(i) = districts.index_of(row.city()) {
                            per_city.entry(i).or_default().push((key, row));
                        }
                    }
                    for part in parts {
                        let answer = match failed.get(&part.index) {
                            Some(e) => Err(e.clone()),
                            None => Ok(per_city.remove(&part.index).unwrap_or_default()),
                        };
                        for waiting in part.answers {
                            let _ = waiting.send(answer.clone());
                        }
                    }
                }
                .boxed()
            })
            .collect()
    }
}

/// What the pages of one statement share.
struct PageShape<R: Listed> {
    filter: R::Filter,
    order: R::Order,
    descending: bool,
    limit: i64,
}

/// One city's page in a statement, and everyone waiting for it.
struct Part<R> {
    index: usize,
    after: Option<After>,
    answers: Vec<oneshot::Sender<PageAnswer<R>>>,
}

/// A read that answers several cities of one database in one statement: counts of a list,
/// the figures of `compare`.
pub(crate) trait PerCity: Send + Sync + 'static {
    /// A city's answer; the default for a city the statement returns nothing for.
    type Out: Clone + Default + Send + 'static;
    /// Reads every city of `cities`, all in `district`'s database, in one statement.
    fn read<'a>(&'a self, district: &'a District, cities: &'a [String])
    -> CityReads<'a, Self::Out>;
}

/// What a [`PerCity`] read gives: each city's answer.
pub(crate) type CityReads<'a, T> = BoxFuture<'a, Result<Vec<(String, T)>, StoreError>>;

/// A city's answer to a [`PerCity`] read, or the failure of its district.
pub(crate) type CityAnswer<Q> = Result<<Q as PerCity>::Out, Arc<StoreError>>;

/// [`PerCity`] reads of one shape, each for one city.
struct PerCityReads<Q: PerCity> {
    query: Arc<Q>,
    waiting: Vec<(usize, oneshot::Sender<CityAnswer<Q>>)>,
}

impl<Q: PerCity> Reads for PerCityReads<Q> {
    fn as_any(&mut self) -> &mut dyn Any {
        self
    }

    fn start(self: Box<Self>, districts: &Arc<Districts>) -> Vec<BoxFuture<'static, ()>> {
        let mut per_database: BTreeMap<usize, Vec<_>> = BTreeMap::new();
        for (index, answer) in self.waiting {
            per_database
                .entry(districts.database_of(index))
                .or_default()
                .push((index, answer));
        }
        per_database
            .into_iter()
            .map(|(database, waiting)| {
                let districts = districts.clone();
                let query = self.query.clone();
                async move {
                    let cities: Vec<usize> = waiting.iter().map(|(i, _)| *i).collect();
                    let (answers, failed) = districts
                        .for_database(database, &cities, |district, ready| {
                            let cities = districts.cities(&ready);
                            let query = &query;
                            async move { query.read(district, &cities).await }
                        })
                        .await;
                    let answers: HashMap<String, Q::Out> = answers.into_iter().flatten().collect();
                    for (index, answer) in waiting {
                        let out = match failed.get(&index) {
                            Some(e) => Err(e.clone()),
                            None => Ok(answers
                                .get(districts.list()[index].city())
                                .cloned()
                                .unwrap_or_default()),
                        };
                        let _ = answer.send(out);
                    }
                }
                .boxed()
            })
            .collect()
    }
}

/// How many rows of a list match its filter, per city.
struct Count<R: Listed>(R::Filter);

impl<R: Listed> PerCity for Count<R> {
    type Out = i64;
    fn read<'a>(&'a self, district: &'a District, cities: &'a [String]) -> CityReads<'a, i64> {
        R::counts(district, cities, &self.0).boxed()
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
            let at = (TypeId::of::<T>(), by);
            let slot = queue.keyed.get(&at).copied();
            let (slot, reads) = queue.reads(slot, || KeyedReads::<T> {
                by,
                waiting: Vec::new(),
            });
            if let Some(reads) = reads {
                reads.waiting.push((key.to_owned(), answer));
            }
            queue.keyed.insert(at, slot);
        }
        // The driver never drops a started read's answer; a closed channel means the request
        // itself is being dropped, and nobody will see this.
        answered.await.unwrap_or_else(|_| Ok(Vec::new()))
    }

    /// The page of the district at `index` in a list of this shape, starting after `after`,
    /// read in the next round with every page of the same shape in the same database.
    pub(crate) async fn page<R: Listed + Clone>(
        &self,
        index: usize,
        shape: (&R::Filter, R::Order, bool, i64),
        after: Option<After>,
    ) -> PageAnswer<R> {
        let (filter, order, descending, limit) = shape;
        let (answer, answered) = oneshot::channel();
        {
            let mut queue = self.queue();
            let at = (
                TypeId::of::<PageReads<R>>(),
                format!("{filter:?}|{order:?}|{descending}|{limit}"),
            );
            let slot = queue.shaped.get(&at).copied();
            let (slot, reads) = queue.reads(slot, || PageReads::<R> {
                shape: Arc::new(PageShape {
                    filter: filter.clone(),
                    order,
                    descending,
                    limit,
                }),
                waiting: Vec::new(),
            });
            if let Some(reads) = reads {
                reads.waiting.push((index, after, answer));
            }
            queue.shaped.insert(at, slot);
        }
        answered.await.unwrap_or_else(|_| Ok(Vec::new()))
    }

    /// How many rows of the district at `index` match `filter`, counted in the next round with
    /// every count of the same filter in the same database.
    pub(crate) async fn count<R: Listed>(
        &self,
        index: usize,
        filter: &R::Filter,
    ) -> Result<i64, Arc<StoreError>> {
        let shape = format!("{filter:?}");
        self.per_city(index, shape, || Count::<R>(filter.clone()))
            .await
    }

    /// The answer to a [`PerCity`] read for the district at `index`, read in the next round with
    /// every read of the same type and `shape` (`query` makes it) in the same database.
    pub(crate) async fn per_city<Q: PerCity>(
        &self,
        index: usize,
        shape: String,
        query: impl FnOnce() -> Q,
    ) -> CityAnswer<Q> {
        let (answer, answered) = oneshot::channel();
        {
            let mut queue = self.queue();
            let at = (TypeId::of::<PerCityReads<Q>>(), shape);
            let slot = queue.shaped.get(&at).copied();
            let (slot, reads) = queue.reads(slot, || PerCityReads::<Q> {
                query: Arc::new(query()),
                waiting: Vec::new(),
            });
            if let Some(reads) = reads {
                reads.waiting.push((index, answer));
            }
            queue.shaped.insert(at, slot);
        }
        answered.await.unwrap_or_else(|_| Ok(Q::Out::default()))
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
