package dev.mesh.chat.web;

import java.util.List;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.mesh.chat.domain.Search;
import dev.mesh.chat.store.SearchStore;
import dev.mesh.runtime.security.MeshUsers;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/chat/search?q=…&roomId=…&limit=…}: full-text search over the rooms the caller
 * is a member of (web-search syntax: {@code "exact phrase"}, {@code or}, {@code -word}; English
 * stemming), best first; each hit's {@code snippetHtml} is escaped text with the matches in
 * {@code <mark>}.
 */
@RestController
public class SearchController {

    public record Hit(String messageId, String roomId, String roomName, long seq, String userId, String userName,
                      long createdAt, float rank, String snippetHtml) {
    }

    public record Hits(List<Hit> items) {
    }

    private final SearchStore search;
    private final MeshUsers users;

    public SearchController(SearchStore search, MeshUsers users) {
        this.search = search;
        this.users = users;
    }

    @GetMapping("/api/chat/search")
    public Mono<Hits> search(@AuthenticationPrincipal Jwt jwt, @RequestParam(required = false) String q,
                             @RequestParam(required = false) String roomId,
                             @RequestParam(required = false) Integer limit) {
        return Mono.defer(() -> {
            Search.Query query = Search.query(q, limit);
            return search.search(users.userOf(jwt).id(), query, roomId == null || roomId.isBlank() ? null : roomId)
                    .map(h -> new Hit(h.messageId(), h.roomId(), h.roomName(), h.seq(), h.userId(), h.userName(),
                            h.createdAt(), h.rank(), Search.snippetHtml(h.markedSnippet())))
                    .collectList()
                    .map(Hits::new);
        });
    }
}
