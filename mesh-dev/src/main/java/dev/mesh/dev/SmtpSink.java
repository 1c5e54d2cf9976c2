package dev.mesh.dev;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

/**
 * The local mesh's SMTP server (GreenMail, in this JVM, no web inbox): accepts every email
 * notification-service sends, keeps it in memory and logs one line per email (recipient and
 * subject), so a developer sees notifications leave without a real mail server.
 */
public final class SmtpSink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SmtpSink.class);

    private final GreenMail server;
    private final ScheduledExecutorService reporter;
    private int reported;

    private SmtpSink(GreenMail server) {
        this.server = server;
        this.reporter = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("smtp-sink").daemon().factory());
        reporter.scheduleWithFixedDelay(this::report, 1, 1, TimeUnit.SECONDS);
    }

    /** Listens on 127.0.0.1 at {@code port}. */
    public static SmtpSink start(int port) {
        GreenMail server = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        server.start();
        log.info("SMTP sink listening on 127.0.0.1:{}", port);
        return new SmtpSink(server);
    }

    public int port() {
        return server.getSmtp().getPort();
    }

    /** Every email received so far. */
    public MimeMessage[] received() {
        return server.getReceivedMessages();
    }

    private synchronized void report() {
        try {
            MimeMessage[] messages = server.getReceivedMessages();
            for (; reported < messages.length; reported++) {
                MimeMessage message = messages[reported];
                log.info("Email to {}: {}", recipients(message), message.getSubject());
            }
        } catch (MessagingException | RuntimeException e) {
            log.debug("Could not list the sink's emails: {}", e.toString());
        }
    }

    private static String recipients(MimeMessage message) throws MessagingException {
        Address[] to = message.getAllRecipients();
        if (to == null) {
            return "(nobody)";
        }
        StringBuilder out = new StringBuilder();
        for (Address address : to) {
            out.append(out.isEmpty() ? "" : ", ").append(address);
        }
        return out.toString();
    }

    @Override
    public void close() {
        reporter.shutdownNow();
        server.stop();
    }
}
