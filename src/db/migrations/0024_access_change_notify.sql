-- Every node caches who a session cookie or API token is (src/features/identity/access-cache.ts).
-- These triggers announce each change that can alter that answer on the channel `ucr_access`,
-- with the operator's id as payload; NOTIFY is delivered at commit, to every listening node.
-- Triggers rather than calls in the services, so no write path (admin screens, sign-in, clean-up
-- jobs, a hand-run UPDATE) can forget it. Bookkeeping columns (sessions.last_seen_at,
-- api_tokens.last_used_at) are left out: they change each minute and alter nobody's access.
CREATE FUNCTION ucr_notify_access_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'operators' THEN
    PERFORM pg_notify('ucr_access', OLD.id::text);
  ELSE
    PERFORM pg_notify('ucr_access', OLD.operator_id::text);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER operators_access_change AFTER UPDATE OR DELETE ON operators
  FOR EACH ROW EXECUTE FUNCTION ucr_notify_access_change();
--> statement-breakpoint
CREATE TRIGGER sessions_access_change AFTER DELETE OR UPDATE OF operator_id, stage, auth_method, expires_at ON sessions
  FOR EACH ROW EXECUTE FUNCTION ucr_notify_access_change();
--> statement-breakpoint
CREATE TRIGGER api_tokens_access_change AFTER DELETE OR UPDATE OF operator_id, token_hash, access, expires_at, revoked_at, name ON api_tokens
  FOR EACH ROW EXECUTE FUNCTION ucr_notify_access_change();
