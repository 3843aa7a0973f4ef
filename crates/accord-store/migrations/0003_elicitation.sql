-- A party's answers to the elicitation questions (confidential like its position).
-- `draft`: the answers given so far, kept between steps (JSON in the answers file's form,
-- docs/elicitation.md); `confirmed`: the answers behind the position the party last
-- confirmed from them (empty: none confirmed yet).
CREATE TABLE elicitations (
    case_id TEXT NOT NULL,
    party_id TEXT NOT NULL,
    draft TEXT NOT NULL,
    confirmed TEXT NOT NULL DEFAULT '',
    updated_ms BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    confirmed_ms BIGINT,
    PRIMARY KEY (case_id, party_id),
    FOREIGN KEY (case_id, party_id) REFERENCES parties (case_id, party_id)
);
