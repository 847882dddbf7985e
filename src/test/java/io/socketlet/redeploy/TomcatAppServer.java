package io.socketlet.redeploy;

import io.socketlet.it.ContainerKind;
import io.socketlet.it.Containers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.catalina.Container;
import org.apache.catalina.Host;
import org.apache.catalina.WebResourceRoot;
import org.apache.catalina.Wrapper;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.loader.WebappLoader;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.webresources.DirResourceSet;
import org.apache.catalina.webresources.JarResourceSet;
import org.apache.catalina.webresources.StandardRoot;

/**
 * Embedded Tomcat 11 on 127.0.0.1 deploying web applications as it deploys a WAR: the engine,
 * the demo and Jackson mounted at {@code /WEB-INF/classes}, so that Tomcat's own
 * {@code WebappClassLoader} loads them (it looks there before its parent); parallel versions
 * ({@code /app##2}) and virtual hosts as in {@code server.xml}.
 *
 * <p>Tomcat's leak detection stays on (threads and timers the application left running); its
 * warnings are collected for {@link #leakWarnings()}. The thread-local and RMI checks only print
 * {@code --add-opens} advice on a modern JDK and are off, as in {@code Containers}.
 */
final class TomcatAppServer implements AppServer {

    /** Where Tomcat's WebappClassLoaderBase logs "appears to have started a thread ... memory leak". */
    private static final Logger LOADER_LOG = Logger.getLogger("org.apache.catalina.loader.WebappClassLoaderBase");

    private final Tomcat tomcat;
    private final Path base;
    private final int port;
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final Handler warningCollector = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record.getLevel() + " " + new java.util.logging.SimpleFormatter().formatMessage(record));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private TomcatAppServer(Tomcat tomcat, Path base, int port) {
        this.tomcat = tomcat;
        this.base = base;
        this.port = port;
        LOADER_LOG.addHandler(warningCollector);
    }

    static TomcatAppServer start() throws Exception {
        Path base = Files.createTempDirectory("socketlet-redeploy-tomcat");
        Tomcat tomcat = Containers.newTomcat(base);
        tomcat.getHost().setAutoDeploy(false);
        return new TomcatAppServer(tomcat, base, Containers.start(tomcat, base));
    }

    @Override
    public ContainerKind kind() {
        return ContainerKind.TOMCAT;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Deployed deploy(App app) throws Exception {
        Host host = host(app.host());
        String name = app.version() == null ? app.path() : app.path() + "##" + app.version();
        StandardContext context = new StandardContext();
        context.setName(name);
        context.setPath(app.path());
        if (app.version() != null) {
            context.setWebappVersion(app.version());
        }
        context.setDocBase(Files.createTempDirectory(base, "docBase").toString());
        context.addLifecycleListener(new Tomcat.FixContextListener());
        context.setClearReferencesThreadLocals(false);
        context.setClearReferencesRmiTargets(false);
        context.setLoader(new WebappLoader());
        WebResourceRoot resources = new StandardRoot(context);
        for (Path location : WebappClasses.locations()) {
            if (Files.isDirectory(location)) {
                resources.addPreResources(new DirResourceSet(resources, "/WEB-INF/classes", location.toString(), "/"));
            } else {
                resources.addJarResources(new JarResourceSet(resources, "/WEB-INF/classes", location.toString(), "/"));
            }
        }
        context.setResources(resources);
        for (Servlet s : app.servlets()) {
            Wrapper wrapper = context.createWrapper();
            wrapper.setName(s.name());
            wrapper.setServletClass(s.className());
            wrapper.setLoadOnStartup(1);
            wrapper.setAsyncSupported(true);
            s.initParams().forEach(wrapper::addInitParameter);
            context.addChild(wrapper);
            context.addServletMappingDecoded(s.mapping(), s.name());
        }
        host.addChild(context); // starts it, as the host's deployer does
        if (!context.getState().isAvailable()) {
            host.removeChild(context);
            throw new IllegalStateException("Tomcat context " + name + " did not start: " + context.getState());
        }
        ClassLoader loader = context.getLoader().getClassLoader();
        return new Deployed() {
            @Override
            public ClassLoader loader() {
                return loader;
            }

            @Override
            public void undeploy() {
                host.removeChild(context); // stops and destroys it, as HostConfig.undeploy does
            }
        };
    }

    private Host host(String name) {
        if (name == null) {
            return tomcat.getHost();
        }
        Container existing = tomcat.getEngine().findChild(name);
        if (existing != null) {
            return (Host) existing;
        }
        StandardHost host = new StandardHost();
        host.setName(name);
        host.setAppBase(base.resolve("webapps-" + name).toString());
        host.setAutoDeploy(false);
        tomcat.getEngine().addChild(host);
        return host;
    }

    @Override
    public List<String> leakWarnings() {
        synchronized (warnings) {
            return List.copyOf(warnings);
        }
    }

    @Override
    public void close() {
        LOADER_LOG.removeHandler(warningCollector);
        Containers.destroy(tomcat, base);
    }

    @Override
    public String toString() {
        return "Tomcat 127.0.0.1:" + port;
    }
}
