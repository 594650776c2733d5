package dev.promoter.dialects.postgresql;

import dev.promoter.core.spi.*;

final class PostgresCloner implements Cloner {
    PostgresCloner(PostgresClientTools tools) {
    }

    @Override
    public Snapshot cloneDatabase(CloneRequest request, ProgressListener progress) {
        throw new UnsupportedOperationException();
    }
}
