package io.followermaze.server.hostile;

import io.followermaze.server.FollowerMazeServer;
import io.followermaze.server.ServerConfig;
import io.followermaze.server.TlsConfig;
import io.followermaze.server.testing.Conditions;
import io.followermaze.server.testing.TestClient;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * TLS on both ports with certificates made here; with a trust bundle on the event port, only a source holding a
 * certificate from that authority can inject events.
 */
class TlsTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static X509Bundle trustedCa;
    static X509Bundle serverCert;
    static X509Bundle trustedSource;
    static X509Bundle strangerSource;
    static TlsConfig tls;

    @BeforeAll
    static void makeCertificates() throws Exception {
        final Instant now = Instant.now();
        final CertificateBuilder base = new CertificateBuilder().notBefore(now.minus(1, ChronoUnit.DAYS))
            .notAfter(now.plus(1, ChronoUnit.DAYS)).ecp256();
        trustedCa = base.copy().subject("CN=followermaze test CA").setIsCertificateAuthority(true).buildSelfSigned();
        serverCert = base.copy().subject("CN=localhost").addSanDnsName("localhost").addSanIpAddress("127.0.0.1")
            .addExtendedKeyUsageServerAuth().buildIssuedBy(trustedCa);
        trustedSource = base.copy().subject("CN=trusted source").addExtendedKeyUsageClientAuth().buildIssuedBy(trustedCa);
        final X509Bundle otherCa = base.copy().subject("CN=someone else").setIsCertificateAuthority(true).buildSelfSigned();
        strangerSource = base.copy().subject("CN=stranger").addExtendedKeyUsageClientAuth().buildIssuedBy(otherCa);

        final Path cert = write("server.pem", serverCert.getCertificatePathPEM());
        final Path key = write("server.key", serverCert.getPrivateKeyPEM());
        final Path trust = write("ca.pem", trustedCa.getCertificatePEM());
        tls = TlsConfig.builder().eventCert(cert).eventKey(key).eventTrust(trust).clientCert(cert).clientKey(key).build();
    }

    private static Path write(String name, String pem) throws Exception {
        final Path p = dir.resolve(name);
        Files.writeString(p, pem);
        return p;
    }

    private static SSLSocket connect(int port, X509Bundle identity) throws Exception {
        final SSLContext ctx = SSLContext.getInstance("TLS");
        final KeyManager[] keys = identity == null ? null : identity.toKeyManagerFactory().getKeyManagers();
        ctx.init(keys, trustedCa.toTrustManagerFactory().getTrustManagers(), null);
        final SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        s.startHandshake();
        return s;
    }

    private static void sendEvents(int port, X509Bundle identity, String lines) throws Exception {
        try (SSLSocket s = connect(port, identity)) {
            final OutputStream out = s.getOutputStream();
            out.write(lines.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            s.getInputStream().read(); // wait for the server to finish with us (end of stream or an alert)
        }
    }

    @Test
    void eventsFlowOverTlsFromATrustedSourceOnly() throws Exception {
        final ServerConfig config = ServerConfig.ephemeral().toBuilder().tls(tls).build();
        try (FollowerMazeServer server = new FollowerMazeServer(config).start()) {
            final TestClient client = new TestClient(connect(server.clientPort(), null), 9, "\n");
            Conditions.await("registration", LIMIT, () -> server.pipeline().stats().registrations() == 1, () -> "");

            assertThrows(Exception.class, () -> sendEvents(server.eventPort(), null, "1|B\n"),
                "a source without a certificate is refused");
            assertThrows(Exception.class, () -> sendEvents(server.eventPort(), strangerSource, "1|B\n"),
                "a source with a certificate from another authority is refused");
            assertEquals(0, server.pipeline().stats().linesReceived(), "nothing was injected");

            try (SSLSocket source = connect(server.eventPort(), trustedSource)) {
                source.getOutputStream().write("2|P|1|9\n1|B\n".getBytes(StandardCharsets.US_ASCII));
                source.getOutputStream().flush();
                Conditions.await("release", LIMIT, () -> server.pipeline().stats().lastReleasedSeq() == 2, () -> "");
            }
            server.close();
            client.awaitClosed(LIMIT);
            assertEquals("1|B\r\n2|P|1|9\r\n", client.received());
            client.close();
        }
    }
}
