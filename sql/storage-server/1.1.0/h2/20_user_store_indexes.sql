-- 1.1.0 product script: index user stores by type for the identity server's lookups.

CREATE INDEX idx_um_user_store_store_type ON um_user_store (store_type);
