package org.scepca.server.profiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.bouncycastle.cms.CMSSignedData;
import org.scepca.profiles.AppleProfileSchema;

import com.dd.plist.NSArray;
import com.dd.plist.NSData;
import com.dd.plist.NSDictionary;
import com.dd.plist.NSObject;
import com.dd.plist.NSString;
import com.dd.plist.PropertyListParser;

/** Reads profiles back the way a device would: unwrap the signature, parse the plist, find the SCEP payload. */
public final class ProfilePlists {
    private static final AppleProfileSchema SCHEMA = AppleProfileSchema.load();

    private ProfilePlists() {
    }

    /** The plist inside a signed profile, or the bytes themselves when unsigned. */
    public static byte[] plist(byte[] mobileconfig) {
        if (mobileconfig.length > 0 && mobileconfig[0] == '<') {
            return mobileconfig;
        }
        try {
            return (byte[]) new CMSSignedData(mobileconfig).getSignedContent().getContent();
        } catch (org.bouncycastle.cms.CMSException e) {
            throw new AssertionError("neither a plist nor CMS SignedData", e);
        }
    }

    /** Asserts the profile conforms to Apple's schema and returns it parsed. */
    public static NSDictionary valid(byte[] mobileconfig) {
        byte[] plist = plist(mobileconfig);
        List<AppleProfileSchema.Violation> violations = SCHEMA.validate(plist);
        assertThat(violations).as("Apple schema violations").isEmpty();
        try {
            return (NSDictionary) PropertyListParser.parse(plist);
        } catch (Exception e) {
            throw new AssertionError("not a property list", e);
        }
    }

    /** The PayloadContent dictionary of the com.apple.security.scep payload. */
    public static NSDictionary scepContent(NSDictionary profile) {
        return (NSDictionary) payload(profile, "com.apple.security.scep").objectForKey("PayloadContent");
    }

    public static NSDictionary payload(NSDictionary profile, String type) {
        for (NSObject o : ((NSArray) profile.objectForKey("PayloadContent")).getArray()) {
            NSDictionary d = (NSDictionary) o;
            if (type.equals(((NSString) d.objectForKey("PayloadType")).getContent())) {
                return d;
            }
        }
        throw new AssertionError("no " + type + " payload");
    }

    public static boolean hasPayload(NSDictionary profile, String type) {
        for (NSObject o : ((NSArray) profile.objectForKey("PayloadContent")).getArray()) {
            if (type.equals(((NSString) ((NSDictionary) o).objectForKey("PayloadType")).getContent())) {
                return true;
            }
        }
        return false;
    }

    public static String string(NSDictionary d, String key) {
        NSObject o = d.objectForKey(key);
        return o == null ? null : ((NSString) o).getContent();
    }

    public static byte[] data(NSDictionary d, String key) {
        return ((NSData) d.objectForKey(key)).bytes();
    }
}
