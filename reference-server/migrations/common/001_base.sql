-- Shared by every model: users, conversations (direct and group), members, messages with a
-- per-conversation sequence assigned atomically from conversations.last_seq.
CREATE TABLE users (
  id bigint PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE conversations (
  id bigint PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('direct', 'group')),
  last_seq bigint NOT NULL DEFAULT 0
);

CREATE TABLE members (
  conversation_id bigint NOT NULL REFERENCES conversations (id),
  user_id bigint NOT NULL REFERENCES users (id),
  PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX members_by_user ON members (user_id, conversation_id);

CREATE TABLE messages (
  conversation_id bigint NOT NULL,
  seq bigint NOT NULL,
  sender_id bigint NOT NULL,
  temp_id text NOT NULL,
  body text NOT NULL,
  sent_at bigint NOT NULL,
  PRIMARY KEY (conversation_id, seq),
  -- a resend of the same tempId returns the first ack, never a second row
  UNIQUE (conversation_id, sender_id, temp_id)
);

-- orders status changes so a reconnecting client can ask for "everything since my cursor"
CREATE SEQUENCE status_clock;
