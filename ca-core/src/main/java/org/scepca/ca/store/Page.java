package org.scepca.ca.store;

import java.util.List;
import java.util.Optional;

/** One page of results and the cursor for the next, if there is one. */
public record Page<T>(List<T> items, Optional<String> nextCursor) {
    public Page {
        items = List.copyOf(items);
    }

    /**
     * The page from a query that asked for {@code limit + 1} rows: the extra row only says there is a next page,
     * whose cursor is made from the last row kept.
     */
    static <T> Page<T> of(List<T> rows, int limit, java.util.function.Function<T, String> cursorOf) {
        if (rows.size() <= limit) {
            return new Page<>(rows, Optional.empty());
        }
        List<T> kept = rows.subList(0, limit);
        return new Page<>(kept, Optional.of(cursorOf.apply(kept.get(limit - 1))));
    }
}
