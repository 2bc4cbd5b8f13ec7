/// The words the injection scorer's phrases are made of, normalised as `InjectionToken` reads them (lowercase, no
/// apostrophes: "dont", "youre").
enum InjectionVocabulary {
    // Instruction override: verb … reference … object ("ignore all previous instructions").
    static let overrideVerbs: Set<String> = [
        "ignore", "ignoring", "disregard", "disregarding", "forget", "override", "overriding", "bypass", "bypassing",
        "skip", "drop", "discard",
    ]
    static let references: Set<String> = [
        "previous", "prior", "above", "earlier", "preceding", "initial", "original", "system", "developer", "former",
        "foregoing",
    ]
    static let overrideObjects: Set<String> = [
        "instruction", "instructions", "rule", "rules", "prompt", "prompts", "direction", "directions", "directive",
        "directives", "guideline", "guidelines", "guidance", "message", "messages", "context", "constraint",
        "constraints", "guardrail", "guardrails", "programming", "restriction", "restrictions", "safeguards", "policy",
        "policies", "command", "commands",
    ]
    /// The speaker's own earlier words: "ignore my previous message" is a correction, not an attack.
    static let ownWords: Set<String> = ["my", "our"]
    static let negations: Set<String> = [
        "dont", "not", "never", "cant", "cannot", "shouldnt", "wont", "mustnt", "doesnt", "didnt", "wouldnt", "couldnt",
        "neednt",
    ]
    /// After the object ("the instructions above") or after "everything" ("everything above").
    static let trailingReferences: Set<String> = ["above", "before", "previously", "earlier", "prior"]
    static let everything: Set<String> = ["everything", "anything", "all"]
    static let newInstructionsHeads: Set<String> = ["new", "updated", "revised"]
    static let newInstructionsObjects: Set<String> = ["instructions", "instruction", "directives"]

    // Jailbreak personas.
    static let unrestricted: Set<String> = ["unrestricted", "jailbroken", "unfiltered", "uncensored"]
    static let restrictionNouns: Set<String> = [
        "restrictions", "restriction", "filters", "filter", "limits", "limitations", "censorship", "guardrails",
        "safeguards", "guidelines", "ethics", "morals", "boundaries", "constraints", "policy", "policies",
    ]
    /// What "no longer bound by …" must name to be a jailbreak rather than, say, a contract.
    static let boundNouns: Set<String> = restrictionNouns.union(["rules", "instructions", "programming"])
    static let boundWords: Set<String> = ["bound", "restricted", "limited", "constrained"]
    /// "act as …", "behave as …", "respond as …", "answer as …".
    static let asVerbs: Set<String> = ["act", "behave", "respond", "answer"]
    /// "pretend …", "roleplay …", "simulate …".
    static let roleplayVerbs: Set<String> = ["pretend", "roleplay", "simulate"]
    static let withoutWords: Set<String> = ["without", "no"]

    // Prompt extraction: verb … your|the … qualifier … object ("reveal your system prompt").
    static let extractionVerbs: Set<String> = [
        "reveal", "print", "show", "repeat", "output", "display", "tell", "leak", "dump", "give", "share", "disclose",
        "recite", "expose",
    ]
    /// Verbs that ask for "your instructions" even without a qualifier.
    static let directExtractionVerbs: Set<String> = [
        "reveal", "print", "repeat", "output", "dump", "leak", "disclose", "recite", "show",
    ]
    static let extractionDeterminers: Set<String> = ["your", "the"]
    static let qualifiers: Set<String> = ["system", "hidden", "initial", "original", "secret", "internal", "developer"]
    static let extractionObjects: Set<String> = ["prompt", "prompts", "instructions", "instruction", "message"]
    static let directExtractionObjects: Set<String> = ["instructions", "prompt", "directives"]
    /// "repeat everything above", "print the words above".
    static let aboveExtractionVerbs: Set<String> = ["repeat", "print", "output", "reveal", "recite", "dump"]
    static let aboveExtractionObjects: Set<String> = ["everything", "words"]

    // Role markers written as words: "system:" giving an order.
    static let systemWords: Set<String> = ["system", "sys"]
    static let imperatives: Set<String> = [
        "ignore", "disregard", "forget", "override", "bypass", "skip", "reveal", "print", "output", "respond", "reply",
        "answer", "say", "act", "pretend", "always", "never", "do", "dont", "follow", "execute", "run", "send", "delete",
        "switch", "enter", "enable", "disable", "stop", "obey", "comply", "tell", "show", "repeat", "you", "new", "from",
        "important",
    ]
    /// "system note:", "system override:" …
    static let systemHeads: Set<String> = ["message", "note", "override", "instruction", "instructions", "prompt"]

    // Text addressed to the model.
    static let modelNouns: Set<String> = [
        "ai", "assistant", "assistants", "llm", "llms", "model", "models", "chatbot", "chatbots", "agent", "agents", "gpt",
        "chatgpt", "claude", "bot", "bots",
    ]
    /// Words that may follow the addressee ("the AI assistant", "any model reading this").
    static let addresseeFollowers: Set<String> = [
        "assistant", "assistants", "agent", "agents", "model", "models", "system", "systems", "reading", "bot", "bots",
    ]
    static let addressHeads: Set<String> = ["note", "message", "instructions", "instruction", "reminder", "notice", "memo"]
    static let addressLinks: Set<String> = ["to", "for"]
    static let addressDeterminers: Set<String> = ["the", "any", "all", "every"]
    /// Punctuation that may close the addressee ("Note to the AI:").
    static let addresseeClosers: Set<Unicode.Scalar> = [":", ",", ".", "!", ")", "-"]

    // Exfiltration: verb … sensitive noun … to … URL or e-mail address.
    static let exfiltrationVerbs: Set<String> = [
        "send", "post", "forward", "upload", "transmit", "exfiltrate", "email", "submit", "leak",
    ]
    static let sensitiveNouns: Set<String> = [
        "conversation", "conversations", "chat", "history", "messages", "password", "passwords", "credentials", "secret",
        "secrets", "token", "tokens", "key", "keys", "prompt", "instructions", "emails", "contents", "memory", "cookies",
        "transcript", "context",
    ]
    static let urlSchemes: Set<String> = ["http", "https"]

    static let colon: Unicode.Scalar = ":"
    static let atSign: Unicode.Scalar = "@"
}
