package dev.mesh.notification.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.Map;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import org.junit.jupiter.api.Test;
import org.springframework.mail.MailPreparationException;
import org.springframework.mail.MailSendException;

class EmailSenderTest {

    @Test
    void givenAServerThatCannotBeReached_whenSendingFails_thenItIsRetried() {
        MessagingException refused = new MessagingException("Couldn't connect to host", new ConnectException("refused"));
        assertThat(EmailSender.isPermanent(new MailSendException("Mail server connection failed", refused))).isFalse();
        assertThat(EmailSender.isPermanent(new MailSendException(Map.of(new Object(), refused)))).isFalse();
    }

    @Test
    void givenARefusedAddressOrAMessageThatCannotBeBuilt_whenSendingFails_thenItFailsForGood() throws Exception {
        SendFailedException invalid = new SendFailedException("Invalid Addresses", null, new Address[0],
                new Address[0], new Address[] {new InternetAddress("nobody@example.org")});
        assertThat(EmailSender.isPermanent(new MailSendException(Map.of(new Object(), invalid)))).isTrue();
        assertThat(EmailSender.isPermanent(new MailPreparationException("bad", new AddressException("Missing '>'"))))
                .isTrue();
    }
}
