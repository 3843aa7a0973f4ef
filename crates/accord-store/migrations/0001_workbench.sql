-- The workbench schema. One portable set of statements for SQLite and PostgreSQL:
-- ids and JSON are TEXT, times are BIGINT milliseconds since the Unix epoch, flags are
-- BIGINT 0/1 (the types every backend of sqlx's Any driver decodes alike).

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    -- mediator, party or observer
    role TEXT NOT NULL,
    -- A party member's case and party; NULL for the other roles.
    case_id TEXT,
    party_id TEXT,
    active BIGINT NOT NULL,
    created_ms BIGINT NOT NULL
);

-- Login sessions: only the SHA-256 of each token is kept.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    created_ms BIGINT NOT NULL,
    revoked_ms BIGINT
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

-- A point as the case file spells it (JSON), without its wording, which drafts carry.
CREATE TABLE points (
    case_id TEXT NOT NULL REFERENCES cases (id),
    point_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (case_id, point_id)
);

CREATE TABLE parties (
    case_id TEXT NOT NULL REFERENCES cases (id),
    party_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    -- JSON array of {name, title}
    delegates TEXT NOT NULL,
    PRIMARY KEY (case_id, party_id)
);

-- Confidential: a party's position as the case file spells it (JSON).
CREATE TABLE positions (
    case_id TEXT NOT NULL,
    party_id TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_ms BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (case_id, party_id),
    FOREIGN KEY (case_id, party_id) REFERENCES parties (case_id, party_id)
);

-- Immutable draft versions, numbered from 1 within a case.
CREATE TABLE drafts (
    case_id TEXT NOT NULL REFERENCES cases (id),
    version BIGINT NOT NULL,
    author TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    note TEXT NOT NULL,
    -- JSON: {points: [{point, title, text}], package: {point: value} | null}
    body TEXT NOT NULL,
    tabled_ms BIGINT,
    published_ms BIGINT,
    responses_published_ms BIGINT,
    PRIMARY KEY (case_id, version)
);

-- A party's answer to a tabled draft (the one-text procedure), confidential until the
-- mediator publishes the responses.
CREATE TABLE responses (
    case_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    party_id TEXT NOT NULL,
    -- JSON: {points: {point: {verdict, amendment, comment}}, comment}
    body TEXT NOT NULL,
    submitted_ms BIGINT NOT NULL,
    submitted_by TEXT NOT NULL,
    PRIMARY KEY (case_id, version, party_id),
    FOREIGN KEY (case_id, version) REFERENCES drafts (case_id, version)
);

CREATE TABLE channels (
    case_id TEXT NOT NULL REFERENCES cases (id),
    channel_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    -- JSON array of the party ids taking part
    parties TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (case_id, channel_id)
);

CREATE TABLE meetings (
    case_id TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    -- ISO date, YYYY-MM-DD
    date TEXT NOT NULL,
    summary TEXT NOT NULL,
    -- JSON array of {party, name}
    participants TEXT NOT NULL,
    -- JSON array of draft versions tabled at the meeting
    tabled TEXT NOT NULL,
    published_ms BIGINT,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (case_id, meeting_id),
    FOREIGN KEY (case_id, channel_id) REFERENCES channels (case_id, channel_id)
);

CREATE TABLE statements (
    case_id TEXT NOT NULL,
    meeting_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    speaker TEXT NOT NULL,
    quote TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (case_id, meeting_id, seq),
    FOREIGN KEY (case_id, meeting_id) REFERENCES meetings (case_id, meeting_id)
);

-- Append-only: rows are inserted, never updated or deleted. Ids sort in time order.
CREATE TABLE audit (
    id TEXT PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    account_id TEXT,
    case_id TEXT,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- JSON
    detail TEXT NOT NULL
);
CREATE INDEX audit_case ON audit (case_id, id);
