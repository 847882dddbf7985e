package io.socketlet.internal.server;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.runtime.ObjectMethods;
import java.util.List;

/**
 * Clears the JDK 17 cache that keeps an undeployed web application in memory through its records.
 *
 * <p>A record's {@code equals}, {@code hashCode} and {@code toString} are made on first use by
 * {@link ObjectMethods#bootstrap}, which adapts a few method handles held in static fields of
 * {@code ObjectMethods} to the record's own types ({@code MethodHandle.asType}). Before JDK 18
 * every method handle keeps its last adaptation in a strong one-entry cache (JDK-8078641), so the
 * last record class of this application to be compared, hashed or printed stays reachable from
 * the JDK, and with it the whole application, until some other record takes its place. Seen
 * with the room log's {@code Offset} record: one undeployed copy of the demo stayed.
 *
 * <p>{@link #forgetApplicationTypes} runs the same bootstrap for a stand-in made of JDK types
 * only ({@code String} with one {@code String} component), which replaces each cached adaptation.
 * Nothing is called on JDK 18 and later.
 */
final class RecordMethodCaches {

    private static final System.Logger LOG = System.getLogger(RecordMethodCaches.class.getName());

    private RecordMethodCaches() {
    }

    /** Replaces the adaptations {@code ObjectMethods} caches (JDK 17 only); never throws. */
    static void forgetApplicationTypes() {
        if (Runtime.version().feature() >= 18) {
            return;
        }
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MethodHandle component = MethodHandles.identity(String.class);
            for (String method : List.of("equals", "hashCode", "toString")) {
                ObjectMethods.bootstrap(lookup, method, MethodHandle.class, String.class, "value", component);
            }
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.DEBUG, "could not reset ObjectMethods' method handle caches", e);
        }
    }
}
