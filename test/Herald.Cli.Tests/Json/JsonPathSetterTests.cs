using System.Text.Json.Nodes;
using Herald.Cli.Json;

namespace Herald.Cli.Tests.Json;

public sealed class JsonPathSetterTests
{
    [Theory]
    [InlineData("data.object.amount=12", "{\"data\":{\"object\":{\"amount\":12,\"currency\":\"USD\"}}}")]
    [InlineData("data.object.amount=-1.5e3", "{\"data\":{\"object\":{\"amount\":-1.5e3,\"currency\":\"USD\"}}}")]
    [InlineData("data.object.currency=EUR", "{\"data\":{\"object\":{\"amount\":10.5,\"currency\":\"EUR\"}}}")]
    [InlineData("data.object.currency=\"12\"", "{\"data\":{\"object\":{\"amount\":10.5,\"currency\":\"12\"}}}")]
    [InlineData("data.object.amount=true", "{\"data\":{\"object\":{\"amount\":true,\"currency\":\"USD\"}}}")]
    [InlineData("data.object.amount=null", "{\"data\":{\"object\":{\"amount\":null,\"currency\":\"USD\"}}}")]
    [InlineData("data.object.currency=", "{\"data\":{\"object\":{\"amount\":10.5,\"currency\":\"\"}}}")]
    [InlineData("data.object.note=a=b", "{\"data\":{\"object\":{\"amount\":10.5,\"currency\":\"USD\",\"note\":\"a=b\"}}}")]
    [InlineData("data.object.metadata={\"k\":[1,2]}", "{\"data\":{\"object\":{\"amount\":10.5,\"currency\":\"USD\",\"metadata\":{\"k\":[1,2]}}}}")]
    [InlineData("data.error.code=issuer_declined", "{\"data\":{\"object\":{\"amount\":10.5,\"currency\":\"USD\"},\"error\":{\"code\":\"issuer_declined\"}}}")]
    [InlineData("data.object.items[0].sku=A1", "{\"data\":{\"object\":{\"amount\":10.5,\"currency\":\"USD\",\"items\":[{\"sku\":\"A1\"}]}}}")]
    [InlineData("data.object.amount=007", "{\"data\":{\"object\":{\"amount\":\"007\",\"currency\":\"USD\"}}}")]
    public void A_set_changes_or_adds_the_value_at_the_path_and_keeps_everything_else(string assignment, string expected)
    {
        var body = JsonNode.Parse("{\"data\":{\"object\":{\"amount\":10.5,\"currency\":\"USD\"}}}")!.AsObject();

        JsonPathSetter.Apply(body, assignment);

        Assert.Equal(expected, body.ToJsonString());
    }

    [Fact]
    public void Array_items_are_replaced_by_index_and_appended_at_the_end()
    {
        var body = JsonNode.Parse("{\"list\":[1,2]}")!.AsObject();

        JsonPathSetter.Apply(body, "list[0]=9");
        JsonPathSetter.Apply(body, "list[2]=3");

        Assert.Equal("{\"list\":[9,2,3]}", body.ToJsonString());
    }

    [Theory]
    [InlineData("no-equals-sign")]
    [InlineData("=12")]
    [InlineData("data.object.amount.value=1")]
    [InlineData("list[5]=1")]
    [InlineData("list.name=1")]
    [InlineData("data..object=1")]
    [InlineData("data.object.x={not json")]
    public void A_set_that_cannot_apply_is_a_usage_error(string assignment)
    {
        var body = JsonNode.Parse("{\"list\":[1],\"data\":{\"object\":{\"amount\":10.5}}}")!.AsObject();

        var exception = Assert.Throws<CliException>(() => JsonPathSetter.Apply(body, assignment));

        Assert.Equal(ExitCodes.Usage, exception.ExitCode);
    }
}
