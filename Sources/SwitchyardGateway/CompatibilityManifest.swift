import SwitchyardCore
import SwitchyardTranslation
package import SwitchyardWire

/// What `GET /v1/compatibility` publishes: which features of each API the gateway serves, per provider type. Built
/// from the tables the gateway itself routes and translates by (``ProviderCapabilities``, ``ResponsesRequestToChat``),
/// so it says what the code does.
package enum CompatibilityManifest {
    package static var document: JSONValue {
        var providers: [String: JSONValue] = [:]
        for kind in ProviderKind.allCases {
            let capabilities = kind.capabilities
            let chat: JSONValue = [
                "streaming": .bool(capabilities.streaming), "tools": .bool(capabilities.tools), "images": .bool(capabilities.images),
                "image_urls": .bool(capabilities.imageURLs), "json_schema": .bool(capabilities.jsonSchema),
            ]
            providers[kind.rawValue] = [
                "dialect": .string(capabilities.dialect),
                "chat_completions": chat,
                "embeddings": .bool(capabilities.embeddings),
                "messages": ["served": true, "passthrough": .bool(capabilities.messagesPassthrough)],
                "count_tokens": .string(capabilities.tokenCounting.rawValue),
                "responses": [
                    "served": true, "streaming": .bool(capabilities.streaming), "function_tools": .bool(capabilities.tools),
                    "json_schema": .bool(capabilities.jsonSchema), "images": .bool(capabilities.images),
                ],
            ]
        }
        let carried = ResponsesRequestToChat.carriedFields.sorted { $0.key < $1.key }
        return [
            "object": "compatibility",
            "apis": [
                "chat_completions": ["endpoint": "/v1/chat/completions", "idempotency_key": "non-stream requests"],
                "messages": ["endpoints": ["/v1/messages", "/v1/messages/count_tokens"]],
                "responses": [
                    "endpoints": [
                        "POST /v1/responses", "GET /v1/responses/{id}", "DELETE /v1/responses/{id}", "POST /v1/responses/{id}/cancel",
                        "GET /v1/responses/{id}/input_items", "POST /v1/responses/input_tokens",
                    ],
                    "stateful": true, "background": true, "previous_response_id": true, "idempotency_key": true, "truncation": ["disabled", "auto"],
                    "input_item_types": .array(ResponsesRequestToChat.inputItemTypes.map(JSONValue.string)),
                    "tool_types": ["function"],
                    "unsupported_tool_types": .array(ResponsesRequestToChat.hostedToolTypes.sorted().map(JSONValue.string)),
                    "text_formats": .array(ResponsesRequestToChat.textFormats.map(JSONValue.string)),
                    "request_fields": .object(Dictionary(uniqueKeysWithValues: carried.map { ($0.key, JSONValue.string($0.value)) })),
                ],
            ],
            "providers": .object(providers),
        ]
    }
}
