-- naive: status lives on each message (1:1) or on a receipt row per (message, recipient) (groups).
-- 0 = sent, 1 = delivered, 2 = read. status_version orders changes for reconnect replay.
ALTER TABLE messages
  ADD COLUMN status smallint NOT NULL DEFAULT 0,
  ADD COLUMN status_version bigint NOT NULL DEFAULT 0;
CREATE INDEX messages_status_changes ON messages (sender_id, status_version);

CREATE TABLE receipts (
  conversation_id bigint NOT NULL,
  seq bigint NOT NULL,
  user_id bigint NOT NULL,
  sender_id bigint NOT NULL,
  status smallint NOT NULL DEFAULT 0,
  version bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (conversation_id, user_id, seq)
);
CREATE INDEX receipts_changes ON receipts (sender_id, version);
CREATE INDEX receipts_by_message ON receipts (conversation_id, seq, status);

-- the read-receipts setting, duplicated on every membership row
ALTER TABLE members ADD COLUMN read_receipts boolean NOT NULL DEFAULT true;
