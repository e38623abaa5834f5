package dev.sweep.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sweep.hooks.Receiver.Reply;
import dev.sweep.hooks.Receiver.Request;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The receiving services' own checks, written from their documentation and independent of the
 * dispatcher's code: each answers as the service does, and refuses what the service would refuse.
 */
final class Services {
    private Services() {}

    static byte[] hmacSha256(String secret, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Standard Webhooks secret: whsec_ and the base64 of 32 random bytes. */
    static String webhookSecret() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    /**
     * A receiver of the generic webhook, verifying with the Standard Webhooks spec's own Java library: the
     * webhook-id, webhook-timestamp (within five minutes) and webhook-signature headers over the raw body.
     */
    static boolean webhookSignatureValid(Request r, String secret) {
        try {
            new com.standardwebhooks.Webhook(secret).verify(r.text(), r.headers());
            return true;
        } catch (com.standardwebhooks.exceptions.WebhookVerificationException e) {
            return false;
        } catch (Exception e) {
            throw new IllegalStateException("the secret is not one the library takes", e);
        }
    }

    static Function<Request, Reply> webhook(String secret) {
        return r -> {
            if (!r.method().equals("POST") || !r.header("Content-Type").startsWith("application/json")) {
                return Reply.status(415, "want a JSON POST");
            }
            if (!webhookSignatureValid(r, secret)) {
                return Reply.status(401, "bad signature");
            }
            return Reply.status(204, "");
        };
    }

    /**
     * A WeCom group robot: POST /cgi-bin/webhook/send?key=KEY, msgtype markdown, content at most 4,096
     * bytes; HTTP 200 always, the verdict in errcode.
     */
    static Function<Request, Reply> wecom(String key) {
        return r -> {
            if (!r.path().equals("/cgi-bin/webhook/send") || !key.equals(r.query().get("key"))) {
                return Reply.ok("{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}");
            }
            JsonNode body = r.json();
            if (!body.path("msgtype").asText().equals("markdown")) {
                return Reply.ok("{\"errcode\":40008,\"errmsg\":\"invalid message type\"}");
            }
            String content = body.path("markdown").path("content").asText("");
            if (content.isEmpty()) {
                return Reply.ok("{\"errcode\":44004,\"errmsg\":\"empty content\"}");
            }
            if (content.getBytes(StandardCharsets.UTF_8).length > 4096) {
                return Reply.ok("{\"errcode\":40058,\"errmsg\":\"markdown.content exceed max length 4096\"}");
            }
            return Reply.ok("{\"errcode\":0,\"errmsg\":\"ok\"}");
        };
    }

    /**
     * DingTalk's check of a signed robot request: timestamp within an hour of its clock, and sign (after
     * the query is URL-decoded) equal to Base64(HmacSHA256(secret, timestamp + "\n" + secret)).
     */
    static boolean dingtalkSignatureValid(Request r, String secret) {
        String timestamp = r.query().get("timestamp");
        String sign = r.query().get("sign");
        if (timestamp == null || sign == null) {
            return false;
        }
        long t;
        try {
            t = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(System.currentTimeMillis() - t) > 3_600_000) {
            return false;
        }
        String expected = Base64.getEncoder().encodeToString(hmacSha256(secret, (timestamp + "\n" + secret).getBytes(StandardCharsets.UTF_8)));
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), sign.getBytes(StandardCharsets.US_ASCII));
    }

    static Function<Request, Reply> dingtalk(String token, String secret) {
        return r -> {
            if (!r.path().equals("/robot/send") || !token.equals(r.query().get("access_token"))) {
                return Reply.ok("{\"errcode\":300001,\"errmsg\":\"token is not exist\"}");
            }
            if (!dingtalkSignatureValid(r, secret)) {
                return Reply.ok("{\"errcode\":310000,\"errmsg\":\"sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]\"}");
            }
            JsonNode body = r.json();
            JsonNode markdown = body.path("markdown");
            if (!body.path("msgtype").asText().equals("markdown") || markdown.path("title").asText("").isEmpty()
                    || markdown.path("text").asText("").isEmpty()) {
                return Reply.ok("{\"errcode\":40035,\"errmsg\":\"缺少参数 json\"}");
            }
            return Reply.ok("{\"errcode\":0,\"errmsg\":\"ok\"}");
        };
    }

    /** A Slack incoming webhook: the path is the credential; {"text": ...} or 400 invalid_payload. */
    static Function<Request, Reply> slack(String secretPath) {
        return r -> {
            if (!r.path().equals(secretPath)) {
                return Reply.status(404, "no_service");
            }
            JsonNode body = r.json();
            if (!body.path("text").isTextual() || body.path("text").asText().isEmpty()) {
                return Reply.status(400, "invalid_payload");
            }
            return Reply.ok("ok");
        };
    }
}
