package dev.sweep.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A bootstrap address, host:port, checked before anything connects to it. */
final class HostPort implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        for (String part : value.split(",")) {
            int colon = part.lastIndexOf(':');
            if (colon <= 0 || colon == part.length() - 1) {
                throw new TypeConversionException("'" + part + "' is not host:port");
            }
            try {
                int port = Integer.parseInt(part.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    throw new TypeConversionException("port " + port + " is outside 1..65535");
                }
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + part.substring(colon + 1) + "' is not a port number");
            }
        }
        return value;
    }
}
