// The GraphQL-over-HTTP audit of graphql-http (`auditServer`) against a running server:
// `node audit.mjs http://127.0.0.1:PORT/graphql`. Prints one JSON line per audit:
// {"id", "name", "status": "ok" | "notice" | "warn" | "error", "reason"}.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const results = await auditServer({ url });
for (const { id, name, status, reason } of results) {
  console.log(JSON.stringify({ id, name, status, reason: reason ?? null }));
}
