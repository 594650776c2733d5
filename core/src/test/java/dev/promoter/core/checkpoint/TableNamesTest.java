package dev.promoter.core.checkpoint;

import dev.promoter.core.spi.TableRef;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TableNamesTest {
    private static final TableRef PUBLIC_USERS = new TableRef("public", "users");
    private static final TableRef AUTH_USERS = new TableRef("auth", "users");
    private static final TableRef MIXED_USERS = new TableRef("public", "Users");
    private static final TableRef H2_ORDERS = new TableRef("PUBLIC", "ORDERS");
    private static final List<TableRef> ALL = List.of(PUBLIC_USERS, AUTH_USERS, MIXED_USERS, H2_ORDERS);

    @Test
    void aDeclaredNameMeansTheTablesSpelledExactlyThatWhereThereAreAny() {
        assertThat(TableNames.resolve("users", ALL)).containsExactlyInAnyOrder(PUBLIC_USERS, AUTH_USERS);
        assertThat(TableNames.resolve("Users", ALL)).containsExactly(MIXED_USERS);
        assertThat(TableNames.resolve("auth.users", ALL)).containsExactly(AUTH_USERS);
        assertThat(TableNames.resolve(" public.Users ", ALL)).containsExactly(MIXED_USERS);
    }

    @Test
    void otherwiseItMatchesInAnyCaseAsUsersWriteH2sUpperCaseNames() {
        assertThat(TableNames.resolve("orders", ALL)).containsExactly(H2_ORDERS);
        assertThat(TableNames.resolve("public.orders", ALL)).containsExactly(H2_ORDERS);
        assertThat(TableNames.resolve("USERS", ALL)).containsExactlyInAnyOrder(PUBLIC_USERS, AUTH_USERS, MIXED_USERS);
        assertThat(TableNames.resolve("audit.users", ALL)).isEmpty();
    }

    @Test
    void aTableIsLabelledByItsNameUnlessAnotherTableSharesItInAnyCaseOrSchema() {
        TableNames names = new TableNames(ALL);
        assertThat(names.label(H2_ORDERS)).isEqualTo("orders");
        assertThat(names.label(PUBLIC_USERS)).isEqualTo("public.users");
        assertThat(names.label(AUTH_USERS)).isEqualTo("auth.users");
        assertThat(names.label(MIXED_USERS)).isEqualTo("public.Users");
        // one table seen twice (live's and staging's) is not its own namesake
        assertThat(new TableNames(List.of(PUBLIC_USERS, PUBLIC_USERS)).label(PUBLIC_USERS)).isEqualTo("users");
    }

    @Test
    void changesDeclaredByTwoVersionsAddUp() {
        assertThat(TableNames.combine(null, "+3")).isEqualTo("+3");
        assertThat(TableNames.combine("+3", "-5")).isEqualTo("-2");
        assertThat(TableNames.combine("10", "2")).isEqualTo("+12");
        assertThat(TableNames.combine("+3", "any")).isEqualTo("any");
        assertThat(TableNames.combine("any", "+3")).isEqualTo("any");
        assertThat(TableNames.combine("+3", "drop")).isEqualTo("drop");
        assertThat(TableNames.combine("drop", "+3")).as("dropped, then declared again").isEqualTo("any");
    }
}
