package dev.mesh.testkit.auth;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The demo users; see {@link UserDirectory#demo()}. */
final class DemoUsers implements UserDirectory {

    static final DemoUsers INSTANCE = new DemoUsers();
    private static final Pattern NUMBERED = Pattern.compile("(student|instructor)-(\\d{1,9})");
    private static final List<User> USERS = List.of(
            user("ada", UserDirectory.INSTRUCTOR),
            user("grace", UserDirectory.ADMIN),
            user("alan", UserDirectory.STUDENT),
            user("barbara", UserDirectory.STUDENT),
            user("edsger", UserDirectory.STUDENT),
            user("margaret", UserDirectory.STUDENT));

    private DemoUsers() {
    }

    private static User user(String name, String role) {
        return new User(name, name, List.of(role));
    }

    @Override
    public List<User> users() {
        return USERS;
    }

    @Override
    public Optional<User> find(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String key = name.trim().toLowerCase(Locale.ROOT);
        Optional<User> known = USERS.stream().filter(u -> u.name().equals(key)).findFirst();
        if (known.isPresent()) {
            return known;
        }
        Matcher numbered = NUMBERED.matcher(key);
        return numbered.matches() ? Optional.of(user(key, numbered.group(1))) : Optional.empty();
    }
}
