/// A kind of personal data or secret that `PIIDetector` finds. The raw value is the name used in configuration
/// (`entities: [email, credit_card]`) and, uppercased, in placeholders (`[CREDIT_CARD_1]`).
public enum Entity: String, CaseIterable, Sendable {
    /// An e-mail address, `local@domain.tld`.
    case email
    /// A telephone number: E.164 (`+44 20 7946 0958`) or a common national format (`(415) 555-2671`).
    case phone
    /// A payment card number of 13 to 19 digits passing the Luhn check.
    case creditCard = "credit_card"
    /// An IBAN passing the ISO 13616 mod-97 check.
    case iban
    /// A US social security number, `AAA-GG-SSSS`.
    case usSSN = "us_ssn"
    /// An IPv4 or IPv6 address.
    case ipAddress = "ip_address"
    /// An API key, access token, JWT or PEM private-key block.
    case secret

    /// Every entity.
    public static let all: Set<Entity> = Set(allCases)

    /// The name placeholders use: the raw value uppercased (`CREDIT_CARD`).
    public var placeholderName: String { rawValue.uppercased() }
}
