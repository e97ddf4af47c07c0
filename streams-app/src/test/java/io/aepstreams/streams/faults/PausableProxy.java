package io.aepstreams.streams.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback in front of a server, which a test can take down (connections cut, new ones refused) and
 * bring back on the same port: a registry outage without losing what the registry holds.
 */
final class PausableProxy implements AutoCloseable {
  private final int targetPort;
  private final int port;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile ServerSocket listener;

  PausableProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = bind(0);
    this.port = listener.getLocalPort();
    accept(listener);
  }

  int port() {
    return port;
  }

  /** Refuses new connections and cuts the open ones. */
  synchronized void pause() throws IOException {
    listener.close();
    for (Socket socket : open) {
      socket.close();
    }
    open.clear();
  }

  /** Accepts connections again, on the same port. */
  synchronized void resume() throws IOException {
    listener = bind(port);
    accept(listener);
  }

  private static ServerSocket bind(int port) throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    return socket;
  }

  private void accept(ServerSocket server) {
    Thread acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
          open.add(client);
          open.add(upstream);
          pipe(client, upstream);
          pipe(upstream, client);
        } catch (IOException e) {
          return; // closed by pause() or close()
        }
      }
    }, "proxy-accept-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void pipe(Socket from, Socket to) {
    Thread copier = new Thread(() -> {
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        in.transferTo(out);
      } catch (IOException e) {
        // a cut connection: the other direction sees it too
      } finally {
        try {
          from.close();
          to.close();
        } catch (IOException ignored) {
          // already closed
        }
      }
    }, "proxy-pipe");
    copier.setDaemon(true);
    copier.start();
  }

  @Override
  public void close() throws IOException {
    pause();
  }
}
