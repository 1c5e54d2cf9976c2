package dev.mesh.testkit.auth;

import java.util.List;
import java.util.Optional;

/** The users a development {@link TokenIssuer} hands tokens to, looked up by name. */
public interface UserDirectory {

    String STUDENT = "student";
    String INSTRUCTOR = "instructor";
    String ADMIN = "admin";

    record User(String id, String name, List<String> roles) {

        public User {
            roles = List.copyOf(roles);
        }
    }

    /** The users {@code GET /dev/users} lists. */
    List<User> users();

    Optional<User> find(String name);

    /**
     * The demo users of ARCHITECTURE §8 ({@code ada} instructor, {@code grace} admin, students
     * {@code alan}, {@code barbara}, {@code edsger}, {@code margaret}), plus any
     * {@code student-<n>} or {@code instructor-<n>} for load tests. Ids are the names, so
     * they stay the same across restarts of the mesh.
     */
    static UserDirectory demo() {
        return DemoUsers.INSTANCE;
    }
}
