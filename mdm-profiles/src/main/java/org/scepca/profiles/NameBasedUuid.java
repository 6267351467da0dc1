package org.scepca.profiles;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDate;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSNumber;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.UUID;

/**
 * Name-based UUIDs (RFC 9562 version 5, SHA-1) for payloads, so the same inputs give the same
 * PayloadUUID and a re-uploaded profile updates the installed one in place instead of adding a
 * second copy.
 *
 * <p>The name is the payload identifier, the payload's role and a canonical encoding of the plist
 * values that define the payload. The encoding is our own (type tag, length, bytes; dictionary keys
 * sorted) rather than the XML text, because dd-plist writes the platform line separator and the
 * UUID must not depend on the machine that generated it.
 */
final class NameBasedUuid {

  /** Our namespace, generated once at random; changing it would change every UUID we ever made. */
  private static final UUID NAMESPACE = UUID.fromString("05133ede-f69a-4585-bd0c-5cca6e80a44a");

  private NameBasedUuid() {}

  static UUID of(String identifier, String role, NSObject content) {
    MessageDigest sha1 = sha1();
    sha1.update(toBytes(NAMESPACE));
    update(sha1, identifier);
    update(sha1, role);
    feed(sha1, content);
    byte[] hash = Arrays.copyOf(sha1.digest(), 16);
    hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
    hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
    ByteBuffer buffer = ByteBuffer.wrap(hash);
    return new UUID(buffer.getLong(), buffer.getLong());
  }

  private static void feed(MessageDigest digest, NSObject value) {
    if (value instanceof NSDictionary dictionary) {
      digest.update((byte) 'd');
      digest.update(intBytes(dictionary.count()));
      String[] keys = dictionary.allKeys();
      Arrays.sort(keys);
      for (String key : keys) {
        update(digest, key);
        feed(digest, dictionary.objectForKey(key));
      }
    } else if (value instanceof NSArray array) {
      digest.update((byte) 'a');
      digest.update(intBytes(array.count()));
      for (NSObject item : array.getArray()) {
        feed(digest, item);
      }
    } else if (value instanceof NSString string) {
      digest.update((byte) 's');
      update(digest, string.getContent());
    } else if (value instanceof NSData data) {
      digest.update((byte) 'x');
      digest.update(intBytes(data.length()));
      digest.update(data.bytes());
    } else if (value instanceof NSNumber number) {
      if (number.isBoolean()) {
        digest.update((byte) 'b');
        digest.update((byte) (number.boolValue() ? 1 : 0));
      } else if (number.isInteger()) {
        digest.update((byte) 'i');
        digest.update(ByteBuffer.allocate(8).putLong(number.longValue()).array());
      } else {
        digest.update((byte) 'r');
        digest.update(
            ByteBuffer.allocate(8).putLong(Double.doubleToLongBits(number.doubleValue())).array());
      }
    } else if (value instanceof NSDate date) {
      digest.update((byte) 't');
      digest.update(ByteBuffer.allocate(8).putLong(date.getDate().getTime()).array());
    } else {
      throw new IllegalStateException("unexpected plist type " + value.getClass().getName());
    }
  }

  private static void update(MessageDigest digest, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    digest.update(intBytes(bytes.length));
    digest.update(bytes);
  }

  private static byte[] intBytes(int value) {
    return ByteBuffer.allocate(4).putInt(value).array();
  }

  private static byte[] toBytes(UUID uuid) {
    return ByteBuffer.allocate(16)
        .putLong(uuid.getMostSignificantBits())
        .putLong(uuid.getLeastSignificantBits())
        .array();
  }

  private static MessageDigest sha1() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required by every Java platform", e);
    }
  }
}
