import HTTPTypes

/// The admin web UI's cookies: the session (`switchyard_session`, for every path) and the sign-in form's CSRF token
/// (`switchyard_login_csrf`, for the sign-in page only). Both HttpOnly and SameSite=Strict.
enum UICookies {
    static let session = "switchyard_session"
    static let loginToken = "switchyard_login_csrf"
    static let csrfHeader = HTTPField.Name("x-csrf-token")!

    /// The value of the cookie `name` the request sent, if any.
    static func value(_ name: String, in headers: HTTPFields) -> Substring? {
        for field in headers where field.name == .cookie {
            for pair in field.value.split(separator: ";") {
                let trimmed = pair.drop(while: { $0 == " " })
                guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name else { continue }
                return trimmed[trimmed.index(after: equals)...]
            }
        }
        return nil
    }

    /// A `Set-Cookie` value: `name=value`, HttpOnly, SameSite=Strict, for `path`, lasting `seconds` (0 removes it).
    static func setting(_ name: String, _ value: String, path: String, seconds: Int64) -> String {
        "\(name)=\(value); Path=\(path); Max-Age=\(seconds); HttpOnly; SameSite=Strict"
    }
}
