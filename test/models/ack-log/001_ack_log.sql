-- ack-log (a test model): every ack that moves a member's marks appends a row; nothing is updated
-- in place. A member's marks are the highest values it has logged.
CREATE TABLE ack_log (
  user_id bigint NOT NULL,
  conversation_id bigint NOT NULL,
  delivered_seq bigint NOT NULL,
  read_seq bigint NOT NULL,
  version bigint NOT NULL,
  PRIMARY KEY (user_id, conversation_id, version),
  CHECK (read_seq <= delivered_seq)
);
CREATE INDEX ack_log_by_conversation ON ack_log (conversation_id, version);

ALTER TABLE users ADD COLUMN read_receipts boolean NOT NULL DEFAULT true;
