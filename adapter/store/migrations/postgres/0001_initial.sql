-- Version 1: responses, conversations and their items, and the store's own settings.
-- Times are Unix seconds (DOUBLE PRECISION); JSON is stored as text.
CREATE TABLE adapter_meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL,
    background INTEGER NOT NULL DEFAULT 0,
    lease_until DOUBLE PRECISION,
    previous_response_id TEXT,
    conversation_id TEXT,
    input_items TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX responses_expires_at ON responses (expires_at);
CREATE INDEX responses_running ON responses (lease_until) WHERE status IN ('queued', 'in_progress');
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    metadata TEXT NOT NULL
);
CREATE INDEX conversations_expires_at ON conversations (expires_at);
CREATE TABLE conversation_items (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    item TEXT NOT NULL
);
CREATE INDEX conversation_items_by_conversation ON conversation_items (conversation_id, seq);
CREATE INDEX conversation_items_by_id ON conversation_items (conversation_id, id);
