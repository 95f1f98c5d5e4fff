package org.nkohub.mongowire;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.util.List;

/**
 * Starts mongo-java-server: {@code Main HOST PORT [DATA_FILE]}; without a file, data lives in
 * memory, with one it is kept in an H2 MVStore file and survives a restart.
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
        MongoBackend backend = args.length > 2 ? new H2Backend(args[2]) : new MemoryBackend();
        backend.version(REPORTED_VERSION);
        MongoServer server = new MongoServer(backend);
        server.bind(host, port);
        System.out.println("mongo-wire listening on " + host + ":" + port
                + (args.length > 2 ? " (data in " + args[2] + ")" : " (in memory)"));
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
        Thread.currentThread().join();
    }
}
