-- Digests sent: one row per account and period (`day:2026-11-26`,
-- `week:2026-W48`), written before sending, so that several kith servers
-- sharing a database send each digest once.
CREATE TABLE digests_sent (
    account_id UUID NOT NULL,
    period TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, period)
);
