-- The embedded engine sends an event's writes as one statement, built from a snapshot it keeps in process
-- (ADR 0067). The statement updates engine.jobs only at the version that snapshot had; this function, called
-- from the statement's final SELECT with how many rows that update matched, aborts the statement (and so
-- every write in it, and the transaction it is in) when none did: another writer moved the job on, and the
-- engine re-runs the event from the row it then locks and reads. SQLSTATE FT409 is the engine's own.
CREATE FUNCTION engine.expect_version(job uuid, expected integer, matched bigint) RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
  IF matched <> 1 THEN
    RAISE EXCEPTION 'engine: job % is no longer at version %', job, expected USING ERRCODE = 'FT409';
  END IF;
  RETURN expected + 1;
END
$$;
--> statement-breakpoint
-- Every event updates its job's engine.jobs row (a ~1.3 KB snapshot). Its only index is the primary key, which
-- never changes, so each update can be HOT (no index entry, less WAL) when the new version fits on the same
-- page: at the default fillfactor 100 about 30 % of them did not (bench: 69 % HOT); at 70 about 98 % are HOT,
-- and an event's WAL falls by about a fifth. Pages written from now on keep the room; a `VACUUM FULL
-- engine.jobs` in a quiet moment gives it to the existing ones.
ALTER TABLE "engine"."jobs" SET (fillfactor = 70);
