/*
 * DynamoDB Local bound to one address (default 127.0.0.1).
 *
 * DynamoDBLocal.jar has no option for the listening address: its server is Jetty's
 * `new Server(port)`, which listens on every interface, so anyone on the network could read and
 * write the local database. This launcher builds the server exactly as the jar's own main does
 * (ServerRunner.createServerFromCommandLineArgs, same arguments), sets the host of its Jetty
 * connector before it starts, and then runs it. Used by shared/dev/local/dynamo.ts.
 */
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class LoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    String host = System.getProperty("suiji.dynamodb.host", "127.0.0.1");
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    // The Jetty server is a private field of the proxy: the jar offers no other way to it.
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    int connectors = 0;
    for (Connector c : server.getConnectors()) {
      ((ServerConnector) c).setHost(host);
      connectors++;
    }
    if (connectors == 0) throw new IllegalStateException("DynamoDB Local has no connector to bind");
    proxy.start();
    System.out.println("DynamoDB Local listening on " + host);
    proxy.join();
  }
}
