package io.aepstreams.schemas.registry;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Hides secrets in settings before they are printed: values of keys that hold credentials (passwords, JAAS
 * configurations, basic-auth user info, keys, tokens) and the user info of URLs ({@code https://user:pw@host}).
 */
public final class Secrets {
  public static final String HIDDEN = "[hidden]";
  private static final Pattern SECRET_KEY = Pattern.compile(
      ".*(password|passwd|secret|jaas|user\\.info|credentials|token|\\.key$|api\\.key|private).*");
  private static final Pattern URL_USER_INFO = Pattern.compile("(?<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s,]+@");

  private Secrets() {}

  /** Whether {@code key}'s value is a credential. */
  public static boolean isSecret(String key) {
    return SECRET_KEY.matcher(key.toLowerCase(Locale.ROOT)).matches();
  }

  /** {@code value} as it may be shown: hidden for a secret key, with any URL's user info hidden otherwise. */
  public static String shown(String key, Object value) {
    if (value == null) {
      return null;
    }
    return isSecret(key) ? HIDDEN : withoutUserInfo(value.toString());
  }

  /** {@code text} with the user info of every URL in it replaced. */
  public static String withoutUserInfo(String text) {
    return URL_USER_INFO.matcher(text).replaceAll("${scheme}" + HIDDEN + "@");
  }

  /** The settings as they may be shown, sorted by key. */
  public static Map<String, String> shown(Map<String, ?> settings) {
    Map<String, String> shown = new LinkedHashMap<>();
    new TreeMap<>(settings).forEach((key, value) -> shown.put(key, shown(key, value)));
    return shown;
  }
}
