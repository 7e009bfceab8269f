package dev.lethe.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses JSON text with jackson-core's streaming parser into plain values: Map (in field order),
 * List, String, Long, Double, Boolean and null. Strict: a repeated field or anything after the
 * one top-level value is an error.
 */
public final class JsonTree {
    private JsonTree() {}

    public static Object parse(String text) throws IOException {
        try (JsonParser parser = new JsonFactory().createParser(text)) {
            parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            if (parser.nextToken() == null) {
                throw new IOException("no JSON value in: " + text);
            }
            Object value = read(parser);
            JsonToken after = parser.nextToken();
            if (after != null) {
                throw new IOException("more than one JSON value: " + after + " after the first");
            }
            return value;
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(String text) throws IOException {
        Object value = parse(text);
        if (!(value instanceof Map)) {
            throw new IOException("not a JSON object: " + text);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> array(String text) throws IOException {
        Object value = parse(text);
        if (!(value instanceof List)) {
            throw new IOException("not a JSON array: " + text);
        }
        return (List<Object>) value;
    }

    private static Object read(JsonParser parser) throws IOException {
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> {
                Map<String, Object> object = new LinkedHashMap<>();
                while (parser.nextToken() != JsonToken.END_OBJECT) {
                    String name = parser.currentName();
                    parser.nextToken();
                    object.put(name, read(parser));
                }
                yield object;
            }
            case START_ARRAY -> {
                List<Object> array = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    array.add(read(parser));
                }
                yield array;
            }
            case VALUE_STRING -> parser.getText();
            case VALUE_NUMBER_INT -> parser.getLongValue();
            case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected " + token + " at " + parser.currentLocation());
        };
    }
}
