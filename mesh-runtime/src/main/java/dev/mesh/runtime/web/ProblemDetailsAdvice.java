package dev.mesh.runtime.web;

import java.net.URI;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebInputException;

import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.MeshException;
import io.r2dbc.spi.R2dbcException;

/**
 * HTTP errors as RFC 9457 problem+json with the mesh's {@code code} member (ARCHITECTURE §4).
 * Messages are the rejection's human sentence; internals never leak.
 */
@RestControllerAdvice
public class ProblemDetailsAdvice {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    @ExceptionHandler(MeshException.class)
    ResponseEntity<ProblemDetail> mesh(MeshException e) {
        return problem(e.code(), e.getMessage());
    }

    @ExceptionHandler({ServerWebInputException.class, WebExchangeBindException.class})
    ResponseEntity<ProblemDetail> badInput(Exception e) {
        return problem(ErrorCode.VALIDATION, "The request body or parameters are not valid");
    }

    /**
     * What WebFlux itself refuses before a handler runs — a body over the codec's limit (413), a
     * Content-Type that is not JSON or cannot be parsed (415), a method the route lacks (405) —
     * keeps its 4xx status, with the code of its class; never a 500.
     */
    @ExceptionHandler(ResponseStatusException.class)
    ResponseEntity<ProblemDetail> refused(ResponseStatusException e) {
        HttpStatusCode status = e.getStatusCode();
        if (!status.is4xxClientError()) {
            return unexpected(e);
        }
        ErrorCode code = switch (status.value()) {
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 409 -> ErrorCode.CONFLICT;
            case 429 -> ErrorCode.RATE_LIMITED;
            default -> ErrorCode.VALIDATION;
        };
        String message = switch (status.value()) {
            case 413 -> "The request body is too large";
            case 415 -> "The request body must be JSON (Content-Type: application/json)";
            case 405 -> "This method is not allowed here";
            case 406 -> "This resource cannot be served in the requested format";
            default -> "The request is not valid";
        };
        ProblemDetail body = ProblemDetail.forStatusAndDetail(status, message);
        body.setType(URI.create("urn:mesh:error:" + code.name().toLowerCase()));
        body.setProperty("code", code.name());
        return ResponseEntity.status(status).body(body);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        if (isTextPostgresCannotStore(e)) {
            return problem(ErrorCode.VALIDATION, "Text must not contain NUL (U+0000) characters");
        }
        log.error("Unexpected error in an HTTP request", e);
        return problem(ErrorCode.INTERNAL, "Something went wrong on our side");
    }

    /**
     * PostgreSQL refuses U+0000 in text ({@code 22021 character_not_in_repertoire}, or {@code 22P05}
     * untranslatable): a client's input, refused whole, never a server error.
     */
    static boolean isTextPostgresCannotStore(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof R2dbcException r2dbc && ("22021".equals(r2dbc.getSqlState()) || "22P05".equals(r2dbc.getSqlState()))) {
                return true;
            }
        }
        return false;
    }

    public static ResponseEntity<ProblemDetail> problem(ErrorCode code, String message) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(code.httpStatus()), message);
        body.setType(URI.create("urn:mesh:error:" + code.name().toLowerCase()));
        body.setProperty("code", code.name());
        return ResponseEntity.status(code.httpStatus()).body(body);
    }
}
