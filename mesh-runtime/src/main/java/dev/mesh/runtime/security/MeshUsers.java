package dev.mesh.runtime.security;

import java.util.Collection;
import java.util.List;

import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

import dev.mesh.contracts.kafka.UserRef;
import dev.mesh.runtime.MeshProperties;

/** Reads the mesh's user (id, name, roles) out of a verified token, from the configured claims. */
public class MeshUsers {

    private final MeshProperties.Security security;

    public MeshUsers(MeshProperties.Security security) {
        this.security = security;
    }

    public UserRef userOf(Jwt jwt) {
        String name = jwt.getClaimAsString(security.nameClaim());
        return new UserRef(jwt.getSubject(), name == null ? jwt.getSubject() : name, rolesOf(jwt));
    }

    public List<String> rolesOf(Jwt jwt) {
        Object claim = jwt.getClaims().get(security.rolesClaim());
        if (claim instanceof Collection<?> roles) {
            return roles.stream().map(String::valueOf).toList();
        }
        return claim instanceof String role ? List.of(role) : List.of();
    }

    /** Roles become {@code ROLE_<role>} authorities for HTTP authorization. */
    public Converter<Jwt, AbstractAuthenticationToken> authenticationConverter() {
        return jwt -> {
            Collection<GrantedAuthority> authorities = rolesOf(jwt).stream()
                    .<GrantedAuthority>map(role -> new SimpleGrantedAuthority("ROLE_" + role))
                    .toList();
            return new JwtAuthenticationToken(jwt, authorities, jwt.getSubject());
        };
    }
}
