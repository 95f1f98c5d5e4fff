package org.nkohub.mongowire;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.List;
import org.h2.mvstore.MVStore;

/**
 * Starts mongo-java-server: {@code Main HOST PORT [DATA_FILE]}; without a file, data lives in
 * memory, with one it is kept in an H2 MVStore file and survives a restart.
 *
 * <p>The file store is H2 2.4 (the pom overrides the 2.3 that mongo-java-server 1.47 brings:
 * with it a 250,000-organization import failed with "Chunk not found" and hung) with a page
 * cache of {@code -Dmongowire.cacheMb} (256 MB by default), a 64 MB auto-commit buffer, so
 * that a large import is written in big chunks, and no background compaction
 * ({@code -Dmongowire.compactFillRate}, 0 by default): with it, a scan of 250,000 documents
 * failed with "Chunk not found" (see bench/README.md, «The embedded store at 250,000
 * organizations»).
 */
public final class Main {
    /**
     * What the server says it is. Its own ServerVersion constants all report wire version 8 or
     * lower, which PyMongo 4.14+ refuses (it needs 9, MongoDB 4.4); this reports MongoDB 5.0's
     * wire version 13. Only features both servers have are used (see docs/architecture.md).
     */
    static final MongoVersion REPORTED_VERSION = new MongoVersion() {
        @Override
        public List<Integer> getVersionArray() {
            return List.of(5, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 13;
        }
    };

    private Main() {}

    public static void main(String[] args) throws Exception {
        String host = args.length > 0 ? args[0] : "127.0.0.1";
        int port = args.length > 1 ? Integer.parseInt(args[1]) : 27017;
        MongoBackend backend;
        if (args.length > 2) {
            int cacheMb = Integer.getInteger("mongowire.cacheMb", 256);
            MVStore store = new MVStore.Builder()
                    .fileName(args[2])
                    .cacheSize(cacheMb)
                    .autoCommitBufferSize(64 * 1024)
                    .autoCompactFillRate(Integer.getInteger("mongowire.compactFillRate", 0))
                    .open();
            backend = new H2Backend(store);
        } else {
            backend = new MemoryBackend();
        }
        backend.version(REPORTED_VERSION);
        MongoServer server = new MongoServer(backend);
        server.bind(host, port);
        System.out.println("mongo-wire listening on " + host + ":" + port
                + (args.length > 2 ? " (data in " + args[2] + ")" : " (in memory)"));
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
        Thread.currentThread().join();
    }
}
