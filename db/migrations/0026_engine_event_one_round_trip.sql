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
