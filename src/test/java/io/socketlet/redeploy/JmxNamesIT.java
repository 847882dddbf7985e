package io.socketlet.redeploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.socketlet.it.ContainerKind;
import io.socketlet.it.Frame;
import io.socketlet.it.RawWebSocketClient;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each endpoint registers and unregisters only its own metrics MBean (issue 10, item 9), when
 * two deployments share a context path: Tomcat's parallel deployment ({@code /app##1} and
 * {@code /app##2}, both serving {@code /app}), or one path on two virtual hosts. Both MBeans are
 * there while both run; undeploying one leaves the other's, still counting its own connections.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JmxNamesIT {

    private static final MBeanServer JMX = ManagementFactory.getPlatformMBeanServer();

    static Stream<ContainerKind> containers() {
        return ContainerKind.selected();
    }

    @Test
    void parallelVersionsOfOneApplicationEachKeepTheirOwnMBean() throws Exception {
        try (AppServer server = AppServer.start(ContainerKind.TOMCAT)) {
            AppServer.App app = echoAt("/versioned");
            AppServer.Deployed v1 = server.deploy(app.version("1"));
            AppServer.Deployed v2 = server.deploy(app.version("2"));
            List<ObjectName> both = echoMBeans("/versioned");
            assertEquals(2, both.size(), "one MBean per version: " + both);
            assertTrue(both.stream().anyMatch(n -> n.getKeyProperty("context").equals("\"/versioned##2\"")), both::toString);

            v1.undeploy();
            List<ObjectName> left = echoMBeans("/versioned");
            assertEquals(1, left.size(), "undeploying version 1 must leave version 2's MBean: " + left);
            // Tomcat sends new requests to the newest version: its MBean counts them.
            assertCountsItsOwnConnection(server, "/versioned/echo", left.get(0));
            v2.undeploy();
            assertEquals(List.of(), echoMBeans("/versioned"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void onePathOnTwoVirtualHostsKeepsTwoMBeans(ContainerKind kind) throws Exception {
        try (AppServer server = AppServer.start(kind)) {
            String path = "/hosted-" + kind.name().toLowerCase(java.util.Locale.ROOT);
            AppServer.Deployed other = server.deploy(echoAt(path).onHost("other.test"));
            AppServer.Deployed main = server.deploy(echoAt(path)); // the default host
            List<ObjectName> both = echoMBeans(path);
            assertEquals(2, both.size(), "one MBean per host: " + both);

            other.undeploy();
            List<ObjectName> left = echoMBeans(path);
            assertEquals(1, left.size(), "undeploying the other host's application must leave this one's MBean: " + left);
            assertCountsItsOwnConnection(server, path + "/echo", left.get(0));
            main.undeploy();
            assertEquals(List.of(), echoMBeans(path));
        }
    }

    private static AppServer.App echoAt(String path) {
        return AppServer.App.at(path).servlet("echo", "io.socketlet.demo.EchoServlet", "/echo", Map.of());
    }

    /** The socketlet MBeans of servlet "echo" whose context key starts with this path. */
    private static List<ObjectName> echoMBeans(String path) throws MalformedObjectNameException {
        return JMX.queryNames(new ObjectName("io.socketlet:type=Endpoint,name=\"echo\",*"), null).stream()
                .filter(n -> ObjectName.unquote(n.getKeyProperty("context")).startsWith(path))
                .sorted()
                .toList();
    }

    private static void assertCountsItsOwnConnection(AppServer server, String path, ObjectName mbean) throws Exception {
        try (RawWebSocketClient client = RawWebSocketClient.connect(server.ws(path))) {
            client.send(Frame.text("counted?")).expectText("counted?");
            assertEquals(1, JMX.getAttribute(mbean, "OpenConnections"), mbean + " counts the connection to " + path);
            client.send(Frame.close(1000, ""));
            client.readClose(true);
        }
    }
}
