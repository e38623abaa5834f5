package dev.sweep.hooks.routes;

import java.util.List;

/**
 * A routes file that cannot be used. Every problem is one line of the message, naming the file,
 * the line and the field: {@code routes.yaml line 12, townships.CG.leads[0].channels[1].kind: unknown
 * kind 'wechat' (one of: webhook, wecom, dingtalk, slack)}.
 */
public final class RoutesException extends RuntimeException {
    private final List<String> problems;

    RoutesException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem on its own, in the order of the file. */
    public List<String> problems() {
        return problems;
    }
}
