package io.socketlet.rooms.redis;

/**
 * The Lua scripts that change a room's presence in Redis: each runs atomically, so the member
 * hash, the name hash and the log entry that reports the change can never disagree, whichever
 * node runs it. The rules are {@link io.socketlet.rooms.PresenceBook}'s (names unique ignoring
 * case, " 2", " 3"... cut to fit); the cutting by characters is done in Java, which passes the
 * candidates' bases and their lower-case keys.
 *
 * <p>Keys of a room {@code r}: {@code socketlet:room:r:members} (member id to
 * {@code node TAB joinId}, or {@code node TAB joinId TAB key TAB name} once named; the join id,
 * the stream id of its join, orders a snapshot's members as they came), {@code socketlet:room:r:names} (lower-case
 * name to member id), {@code socketlet:room:r:log} (the stream). Log entries: {@code k=m} a
 * message ({@code x} the member it skips, {@code t} 1 for text, {@code d} the bytes, {@code u} the
 * publisher's unique id), {@code k=p} a presence change ({@code b} before, {@code a} after, each
 * empty, {@code id} or {@code id:name}; {@code r} the reason).
 */
final class RedisScripts {

    private RedisScripts() {
    }

    /** Splits a member hash value: node, join id, and for a named member its name key and name. */
    private static final String PARSE = """
            local function parse(v)
              local f = {}
              local from = 1
              for i = 1, 3 do
                local t = string.find(v, '\t', from, true)
                if not t then break end
                f[i] = string.sub(v, from, t - 1)
                from = t + 1
              end
              f[#f + 1] = string.sub(v, from)
              return f[1], f[2], f[3], f[4]
            end
            """;

    /** KEYS members, names, log; ARGV kind, id, node, maxlen, reason, then base/key pairs for suffixes of 0, 2, 3, 4 characters. */
    static final String PRESENCE = PARSE + """
            local members, names, log = KEYS[1], KEYS[2], KEYS[3]
            local kind, id, node, maxlen, reason = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
            local cur = redis.call('HGET', members, id)
            local curJoin, curKey, curName = nil, nil, nil
            if cur then
              local _
              _, curJoin, curKey, curName = parse(cur)
            end
            local before = ''
            if cur then
              before = id
              if curName then before = id .. ':' .. curName end
            end
            if kind == 'JOIN' then
              if cur then return false end
              redis.call('PERSIST', log) -- someone is back: the log no longer expires (see EXPIRE_IF_EMPTY)
              local xid = redis.call('XADD', log, 'MAXLEN', '~', maxlen, '*', 'k', 'p', 'b', '', 'a', id, 'r', '')
              redis.call('HSET', members, id, node .. '\t' .. xid)
              return xid
            elseif kind == 'LEAVE' then
              if not cur then return false end
              redis.call('HDEL', members, id)
              if curKey then redis.call('HDEL', names, curKey) end
              return redis.call('XADD', log, 'MAXLEN', '~', maxlen, '*', 'k', 'p', 'b', before, 'a', '', 'r', reason)
            end
            local name, key
            for n = 1, 100000 do
              if n == 1 then name, key = ARGV[6], ARGV[7]
              elseif n < 10 then name, key = ARGV[8] .. ' ' .. n, ARGV[9] .. ' ' .. n
              elseif n < 100 then name, key = ARGV[10] .. ' ' .. n, ARGV[11] .. ' ' .. n
              else name, key = ARGV[12] .. ' ' .. n, ARGV[13] .. ' ' .. n end
              local holder = redis.call('HGET', names, key)
              if (not holder) or holder == id then break end
            end
            if curName == name then return false end
            if curKey then redis.call('HDEL', names, curKey) end
            redis.call('HSET', names, key, id)
            local xid = redis.call('XADD', log, 'MAXLEN', '~', maxlen, '*', 'k', 'p', 'b', before, 'a', id .. ':' .. name, 'r', '')
            redis.call('HSET', members, id, node .. '\t' .. (curJoin or xid) .. '\t' .. key .. '\t' .. name)
            return xid
            """;

    /**
     * KEYS members, log; ARGV milliseconds. A node stopped serving the room: when nobody is in it
     * on any node (Redis removed the member hash with its last field; the name hash goes the same
     * way), the log expires after that long, unless someone joins first (JOIN persists it).
     * Returns 1 when it set the expiry.
     */
    static final String EXPIRE_IF_EMPTY = """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              redis.call('PEXPIRE', KEYS[2], ARGV[1])
              return 1
            end
            return 0
            """;

    /** KEYS members, log; ARGV count: the members and the newest entries, in one atomic look. */
    static final String SNAPSHOT = """
            return {redis.call('HGETALL', KEYS[1]), redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', ARGV[1])}
            """;

    /**
     * KEYS members, names, log; ARGV maxlen, node key prefix. Members of nodes whose liveness key
     * expired leave, with reason "node gone"; returns how many.
     */
    static final String CLEANUP = PARSE + """
            local all = redis.call('HGETALL', KEYS[1])
            local gone = 0
            for i = 1, #all, 2 do
              local id = all[i]
              local node, join, key, name = parse(all[i + 1])
              if redis.call('EXISTS', ARGV[2] .. node) == 0 then
                local before = id
                if key then
                  redis.call('HDEL', KEYS[2], key)
                  before = id .. ':' .. name
                end
                redis.call('HDEL', KEYS[1], id)
                redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[1], '*', 'k', 'p', 'b', before, 'a', '', 'r', 'node gone')
                gone = gone + 1
              end
            end
            return gone
            """;
}
