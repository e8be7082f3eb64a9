package io.followermaze.server;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.SSLException;
import java.nio.file.Path;

/**
 * Optional TLS per port, from PEM files. On the event port a trust bundle can also be required: then only a
 * source presenting a certificate signed by one of those authorities can inject events.
 *
 * @param eventCert   PEM certificate chain for the event port, or null for plain TCP
 * @param eventKey    PEM (PKCS#8) private key for the event port
 * @param eventTrust  PEM bundle of authorities a source's certificate must chain to; null: no client certificate asked
 * @param clientCert  PEM certificate chain for the client port, or null for plain TCP
 * @param clientKey   PEM (PKCS#8) private key for the client port
 */
public record TlsConfig(Path eventCert, Path eventKey, Path eventTrust, Path clientCert, Path clientKey) {
    public static final TlsConfig NONE = builder().build();

    public TlsConfig {
        requirePair("event", eventCert, eventKey);
        requirePair("client", clientCert, clientKey);
        if (eventTrust != null && eventCert == null) {
            throw new IllegalArgumentException("a client-certificate trust bundle for the event port needs TLS on it "
                + "(certificate and key)");
        }
    }

    /** A builder with no TLS anywhere. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().eventCert(eventCert).eventKey(eventKey).eventTrust(eventTrust).clientCert(clientCert)
            .clientKey(clientKey);
    }

    /** Mutable builder; the certificate and key of a port are checked together by {@link #build()}. */
    public static final class Builder {
        private Path eventCert;
        private Path eventKey;
        private Path eventTrust;
        private Path clientCert;
        private Path clientKey;

        private Builder() {
        }

        public Builder eventCert(Path v) { eventCert = v; return this; }
        public Builder eventKey(Path v) { eventKey = v; return this; }
        public Builder eventTrust(Path v) { eventTrust = v; return this; }
        public Builder clientCert(Path v) { clientCert = v; return this; }
        public Builder clientKey(Path v) { clientKey = v; return this; }

        public TlsConfig build() {
            return new TlsConfig(eventCert, eventKey, eventTrust, clientCert, clientKey);
        }
    }

    /** @return the event port's TLS context, or null for plain TCP */
    SslContext eventContext() throws SSLException {
        if (eventCert == null) {
            return null;
        }
        final SslContextBuilder b = SslContextBuilder.forServer(eventCert.toFile(), eventKey.toFile());
        if (eventTrust != null) {
            b.trustManager(eventTrust.toFile()).clientAuth(ClientAuth.REQUIRE);
        }
        return b.build();
    }

    /** @return the client port's TLS context, or null for plain TCP */
    SslContext clientContext() throws SSLException {
        return clientCert == null ? null : SslContextBuilder.forServer(clientCert.toFile(), clientKey.toFile()).build();
    }

    private static void requirePair(String port, Path cert, Path key) {
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("TLS on the " + port + " port needs both a certificate and a key");
        }
    }
}
