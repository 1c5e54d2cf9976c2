package dev.mesh.contracts.kafka;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** The authenticated user a command acts for, as the gateway read it from the token. */
public record UserRef(String id, String name, List<String> roles) {

    public UserRef {
        roles = roles == null ? List.of() : List.copyOf(roles);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    @JsonIgnore // a convenience, not part of the record on the wire
    public boolean isAdmin() {
        return hasRole("admin");
    }
}
