package dev.mesh.contracts.kafka;

import java.util.List;

/** The authenticated user a command acts for, as the gateway read it from the token. */
public record UserRef(String id, String name, List<String> roles) {

    public UserRef {
        roles = roles == null ? List.of() : List.copyOf(roles);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    public boolean isAdmin() {
        return hasRole("admin");
    }
}
