package org.scepca.ca.store;

import java.util.List;
import java.util.Optional;

/** One page of results and the cursor for the next, if there is one. */
public record Page<T>(List<T> items, Optional<String> nextCursor) {
    public Page {
        items = List.copyOf(items);
    }
}
