/**
 * drizzle-kit configuration. `npm run db:generate -- --name <what-changed>` diffs db/schema.ts
 * against the last snapshot in db/migrations and writes the next numbered migration. Landed
 * migrations are never edited (db/migrations.test.ts pins their hashes); a change is always a
 * new migration, and a data-changing one gets a test (see db/test-support.ts, migrateTo).
 */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './db/schema.ts',
  out: './db/migrations',
});
