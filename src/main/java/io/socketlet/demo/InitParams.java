package io.socketlet.demo;

import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;

/** The demo servlets' own init-params (the engine parses its settings itself). */
final class InitParams {

    private InitParams() {
    }

    /**
     * A positive whole number from the init-param, or the default when it is not set.
     *
     * @throws ServletException naming the servlet, the parameter and the value when it is not one
     */
    static int positiveInt(ServletConfig config, String name, int defaultValue) throws ServletException {
        String param = config.getInitParameter(name);
        if (param == null) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(param.trim());
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 1) {
            throw new ServletException(config.getServletName() + ": " + name + " must be a positive whole number, was '"
                    + param + "'");
        }
        return value;
    }
}
