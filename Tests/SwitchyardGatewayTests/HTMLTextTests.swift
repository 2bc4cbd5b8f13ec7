import Testing

@testable import SwitchyardGateway

@Suite("Text of HTML documents")
struct HTMLTextTests {
    @Test("tags go, blocks break lines, scripts, styles, the head and comments are dropped, references decoded")
    func extracts() {
        let html = """
            <!DOCTYPE html><html><head><title>Ignored</title><style>p { color: red }</style></head>
            <body><h1>Launch&nbsp;plan</h1><!-- draft --><p>Ship on <b>Tuesday</b> &amp; tell   the team.</p>
            <script>alert("<p>no</p>")</script><ul><li>Fish &#x26; chips</li><li>5 &lt; 6 &#8212; true</li></ul>
            <p>Tom&apos;s &unknown; &amp</p><br/>End</body></html>
            """
        #expect(HTMLText.extract(html) == "Launch plan\nShip on Tuesday & tell the team.\nFish & chips\n5 < 6 — true\nTom's &unknown; &amp\nEnd")
    }

    @Test("odd input: an unclosed tag, an unclosed comment, a lone ampersand, an invalid numeric reference, plain text")
    func oddInput() {
        #expect(HTMLText.extract("a <b") == "a")
        #expect(HTMLText.extract("kept <!-- never closed") == "kept")
        #expect(HTMLText.extract("R&D") == "R&D")
        #expect(HTMLText.extract("&#xD800; &#99999999;") == "&#xD800; &#99999999;")
        #expect(HTMLText.extract("just text") == "just text")
        #expect(HTMLText.extract("") == "")
    }
}
