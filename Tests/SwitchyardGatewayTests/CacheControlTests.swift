import SwitchyardCore
import Testing

@testable import SwitchyardGateway

/// What a request's `Cache-Control` header asks of the response cache, as the parser reads it: directives are
/// split at commas, names matched without regard to case or surrounding spaces, unknown directives ignored.
@Suite("Cache-Control")
struct CacheControlTests {
    @Test("no header, or an empty one, reads and writes at any age")
    func noHeader() {
        #expect(CacheControl(header: nil) == CacheControl.default)
        #expect(CacheControl(header: "") == CacheControl.default)
        #expect(CacheControl(header: " , ,") == CacheControl.default)
        #expect(CacheControl.default == CacheControl(reads: true, writes: true, maxAge: nil))
        let control = CacheControl(header: nil)
        #expect(control.reads)
        #expect(control.writes)
        #expect(control.maxAge == nil)
    }

    @Test("directives and their combinations", arguments: [
        ("no-cache", CacheControl(reads: false, writes: true)),
        ("no-store", CacheControl(reads: false, writes: false)),
        ("max-age=60", CacheControl(maxAge: .seconds(60))),
        ("max-age=0", CacheControl(maxAge: .seconds(0))),
        ("no-cache, no-store", CacheControl(reads: false, writes: false)),
        ("no-store, max-age=5", CacheControl(reads: false, writes: false, maxAge: .seconds(5))),
        ("max-age=30,no-cache", CacheControl(reads: false, maxAge: .seconds(30))),
        ("private, max-age=10, x-custom=1, only-if-cached", CacheControl(maxAge: .seconds(10))),
    ])
    func directives(header: String, expected: CacheControl) {
        #expect(CacheControl(header: header) == expected)
    }

    @Test("names are matched whatever their case, with spaces and tabs around names, '=' and values", arguments: [
        ("No-Cache, max-age = 5", CacheControl(reads: false, maxAge: .seconds(5))),
        ("NO-STORE", CacheControl(reads: false, writes: false)),
        ("  no-cache  ", CacheControl(reads: false)),
        ("Max-Age=12", CacheControl(maxAge: .seconds(12))),
        ("\tmax-age=7\t", CacheControl(maxAge: .seconds(7))),
        ("no-cache,max-age=3", CacheControl(reads: false, maxAge: .seconds(3))),
    ])
    func caseAndSpaces(header: String, expected: CacheControl) {
        #expect(CacheControl(header: header) == expected)
    }

    @Test("a quoted max-age is read", arguments: [
        (#"max-age="60""#, CacheControl(maxAge: .seconds(60))),
        (#"no-cache, max-age = "15""#, CacheControl(reads: false, maxAge: .seconds(15))),
    ])
    func quotedMaxAge(header: String, expected: CacheControl) {
        #expect(CacheControl(header: header) == expected)
    }

    @Test("a max-age that is not a whole number of seconds, or is negative, is ignored", arguments: [
        "max-age=abc", "max-age=-1", "max-age", "max-age=", "max-age = ", "max-age=1.5", "max-age=1e3", #"max-age="""#, "max-age=5 s",
    ])
    func badMaxAge(header: String) {
        #expect(CacheControl(header: header) == CacheControl.default)
        #expect(CacheControl(header: header).maxAge == nil)
    }

    @Test("a bad max-age leaves the other directives in force")
    func badMaxAgeWithOthers() {
        #expect(CacheControl(header: "no-cache, max-age=soon") == CacheControl(reads: false))
        #expect(CacheControl(header: "max-age=-5, no-store") == CacheControl(reads: false, writes: false))
    }

    @Test("a very large max-age is capped at a billion seconds")
    func hugeMaxAge() {
        #expect(CacheControl(header: "max-age=99999999999").maxAge == Duration.seconds(1_000_000_000))
        // Beyond what a whole number can hold: not a number, so ignored.
        #expect(CacheControl(header: "max-age=99999999999999999999999").maxAge == nil)
    }

    @Test("a request that reads or writes the cache reports a miss when not answered from it; no-store reports a bypass")
    func missResult() {
        let key = CacheKey(scope: "master", key: "k")
        func plan(_ header: String?) -> CachePlan {
            CachePlan(key: key, model: "chat", settings: CacheSettings(enabled: true), control: CacheControl(header: header))
        }
        #expect(plan(nil).missResult == .miss)
        #expect(plan("no-cache").missResult == .miss, "no-cache still stores the fresh answer")
        #expect(plan("max-age=5").missResult == .miss)
        #expect(plan("no-store").missResult == .bypass)
        #expect(plan("no-cache, no-store").missResult == .bypass)
    }
}
