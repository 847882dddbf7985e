package io.socketlet.redeploy;

import io.socketlet.it.ContainerKind;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An embedded container that stays up while web applications come and go, as a production
 * container does when WARs are dropped in and removed: {@link #deploy} starts a web application
 * with a class loader of its own (see {@link WebappClasses}); {@link Deployed#undeploy} stops and
 * removes it.
 */
interface AppServer extends AutoCloseable {

    static AppServer start(ContainerKind kind) throws Exception {
        return switch (kind) {
            case JETTY -> JettyAppServer.start();
            case TOMCAT -> TomcatAppServer.start();
        };
    }

    ContainerKind kind();

    int port();

    /** Starts the web application; returns once its servlets were initialized. */
    Deployed deploy(App app) throws Exception;

    /** Warnings of the container's own leak detection so far (Tomcat's; none on Jetty, which has none). */
    List<String> leakWarnings();

    @Override
    void close();

    default URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + port() + path);
    }

    /** A started web application. */
    interface Deployed {
        /** The web application's class loader (the one that loaded the engine's classes). */
        ClassLoader loader();

        /** Stops and removes the web application, as the container does on undeploy. */
        void undeploy();
    }

    /**
     * A web application: its virtual host (null: the container's default), its context path,
     * its version (Tomcat's parallel deployment {@code path##version}; null: none) and its
     * servlets, given by class name so that the web application's loader loads them.
     */
    record App(String host, String path, String version, List<Servlet> servlets) {

        static App at(String path) {
            return new App(null, path, null, List.of());
        }

        App onHost(String virtualHost) {
            return new App(virtualHost, path, version, servlets);
        }

        App version(String parallelVersion) {
            return new App(host, path, parallelVersion, servlets);
        }

        App servlet(String name, String className, String mapping, Map<String, String> initParams) {
            List<Servlet> more = new ArrayList<>(servlets);
            more.add(new Servlet(name, className, mapping, new LinkedHashMap<>(initParams)));
            return new App(host, path, version, more);
        }

        /** The demo's three endpoints, configured as the demo's web.xml does. */
        App demoEndpoints() {
            return demoEndpoints(null);
        }

        /** The same, with the chat and the canvas over this Redis ({@code redis://host:port}; null: in memory). */
        App demoEndpoints(String redisUri) {
            Map<String, String> drafts = Map.of("protocols", "13, hixie-76, hixie-75");
            Map<String, String> echo = new LinkedHashMap<>(drafts);
            echo.put("allowedOrigins", "*");
            Map<String, String> rooms = new LinkedHashMap<>(drafts);
            if (redisUri != null) {
                rooms.put("redis", redisUri);
            }
            return servlet("echo", "io.socketlet.demo.EchoServlet", "/echo", echo)
                    .servlet("chat", "io.socketlet.demo.ChatServlet", "/chat", rooms)
                    .servlet("canvas", "io.socketlet.demo.CanvasServlet", "/canvas", rooms);
        }
    }

    record Servlet(String name, String className, String mapping, Map<String, String> initParams) {
    }
}
