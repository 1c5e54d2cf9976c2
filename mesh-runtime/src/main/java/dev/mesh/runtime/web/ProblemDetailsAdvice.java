package dev.mesh.runtime.web;

import java.net.URI;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.server.ServerWebInputException;

import dev.mesh.contracts.wire.ErrorCode;
import dev.mesh.contracts.wire.MeshException;

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

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        log.error("Unexpected error in an HTTP request", e);
        return problem(ErrorCode.INTERNAL, "Something went wrong on our side");
    }

    public static ResponseEntity<ProblemDetail> problem(ErrorCode code, String message) {
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(code.httpStatus()), message);
        body.setType(URI.create("urn:mesh:error:" + code.name().toLowerCase()));
        body.setProperty("code", code.name());
        return ResponseEntity.status(code.httpStatus()).body(body);
    }
}
